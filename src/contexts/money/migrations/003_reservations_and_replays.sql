-- Reservations move inside the posting, so every posting locks its accounts in one global order (id
-- order); a replay is compared entry by entry; a recharge or withdrawal keeps the balance right after it.

-- The member's money balance right after the move (NULL while PENDING): for a SUCCEEDED move the
-- balance after its own entry, for a FAILED one after its refund, or the balance when it finished.
ALTER TABLE recharges ADD COLUMN balance_after BIGINT;
ALTER TABLE withdrawals ADD COLUMN balance_after BIGINT;

-- A move's balance_after: the newest entry of its own ledger transactions on the member's money,
-- else (a FAILED recharge moved nothing) the member's balance at p_at, or now when p_at is NULL.
CREATE FUNCTION move_balance_after(p_membership_id text, p_ledger_ids text[], p_at timestamptz)
RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    (SELECT e.balance_after FROM money.ledger_entries e
      WHERE e.transaction_id = ANY (p_ledger_ids) AND e.account_id = 'member_money:' || p_membership_id
      ORDER BY e.seq DESC LIMIT 1),
    CASE WHEN p_at IS NULL
      THEN (SELECT a.balance FROM money.accounts a WHERE a.id = 'member_money:' || p_membership_id)
      ELSE (SELECT e.balance_after FROM money.ledger_entries e
             WHERE e.account_id = 'member_money:' || p_membership_id AND e.created_at <= p_at
             ORDER BY e.seq DESC LIMIT 1) END,
    0)
$$;
-- Moves finished before the column existed: the balance by the time they finished.
UPDATE recharges SET balance_after = money.move_balance_after(membership_id, ARRAY[id || ':credit'], completed_at)
 WHERE status <> 'PENDING';
UPDATE withdrawals
   SET balance_after = money.move_balance_after(membership_id, ARRAY[id || ':hold', id || ':refund'], completed_at)
 WHERE status <> 'PENDING';

-- A transaction's postings as a sorted multiset of [account, side, amount, currency], and the same
-- for the entries stored under an id: a replay must match the first posting exactly.
CREATE FUNCTION postings_key(p_postings jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_agg(k ORDER BY k), '[]'::jsonb)
  FROM (SELECT jsonb_build_array(p->>'account', p->>'side', (p->>'amount')::bigint, p->>'currency') AS k
        FROM jsonb_array_elements(p_postings) AS e(p)) AS s
$$;
CREATE FUNCTION entries_key(p_id text) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(jsonb_agg(k ORDER BY k), '[]'::jsonb)
  FROM (SELECT jsonb_build_array(account_id, side, amount, currency) AS k
        FROM money.ledger_entries WHERE transaction_id = p_id) AS s
$$;

DROP FUNCTION try_post_ledger(text, text, text, jsonb, bigint);
DROP FUNCTION post_ledger(text, text, text, jsonb, bigint);
DROP FUNCTION posted_before(text, text, text);
DROP FUNCTION refuse_posting(text, text, bigint);

-- The first posting of a transaction id, for an idempotent retry. The same id with another kind,
-- reference or postings is not a retry but a clash (P0001 LEDGER_ID_REUSED).
CREATE FUNCTION posted_before(p_id text, p_kind text, p_reference text, p_postings jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  t record;
  v_result jsonb;
BEGIN
  SELECT kind, reference INTO t FROM money.ledger_transactions WHERE id = p_id;
  IF t.kind <> p_kind OR t.reference <> p_reference
     OR money.postings_key(p_postings) IS DISTINCT FROM money.entries_key(p_id) THEN
    RAISE EXCEPTION 'LEDGER_ID_REUSED:%', p_id USING ERRCODE = 'P0001';
  END IF;
  SELECT jsonb_build_object('replayed', true, 'entries', coalesce(jsonb_agg(jsonb_build_object(
      'entryId', id, 'seq', seq, 'account', account_id, 'side', side, 'amount', amount, 'balanceAfter', balance_after)
      ORDER BY seq), '[]'::jsonb))
    INTO v_result
  FROM money.ledger_entries WHERE transaction_id = p_id;
  RETURN v_result;
END $$;

-- Says why a conditional update of one account matched no row. Expected failures are P0001 with
-- 'CODE:<account>'; a currency mismatch or releasing more than is reserved is a bug (22023).
CREATE FUNCTION refuse_posting(p_account text, p_currency text, p_net_credit bigint, p_reserve bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  a record;
BEGIN
  SELECT kind, currency, status, reserved_in INTO a FROM money.accounts WHERE id = p_account;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'ACCOUNT_NOT_FOUND:%', p_account USING ERRCODE = 'P0001';
  ELSIF a.currency <> p_currency THEN
    RAISE EXCEPTION 'LEDGER_CURRENCY_MISMATCH:%:% is %', p_account, p_currency, a.currency USING ERRCODE = '22023';
  ELSIF a.status <> 'OPEN' THEN
    RAISE EXCEPTION 'ACCOUNT_CLOSED:%', p_account USING ERRCODE = 'P0001';
  ELSIF a.reserved_in + p_reserve < 0 THEN
    RAISE EXCEPTION 'LEDGER_RESERVATION:% has less than % won reserved', p_account, -p_reserve USING ERRCODE = '22023';
  ELSIF p_net_credit < 0 AND a.kind = 'member_points' THEN
    RAISE EXCEPTION 'INSUFFICIENT_POINTS:%', p_account USING ERRCODE = 'P0001';
  ELSIF p_net_credit < 0 THEN
    RAISE EXCEPTION 'INSUFFICIENT_BALANCE:%', p_account USING ERRCODE = 'P0001';
  END IF;
  RAISE EXCEPTION 'BALANCE_LIMIT_EXCEEDED:%', p_account USING ERRCODE = 'P0001';
END $$;

-- Posts one balanced transaction in one call; raises on any failure (see try_post_ledger for a
-- variant that returns expected failures as values). p_postings: [{account, side, amount, currency}].
-- p_cap: the most a member money account may hold (balance + reserved_in), NULL for no cap.
-- p_reserve: [{account, amount}] changes to reserved_in (won promised to member money by moves in
-- flight), applied in the same id-ordered update as the postings so that no lock is taken out of
-- order: + reserves, − releases (never below 0).
CREATE FUNCTION post_ledger(p_id text, p_kind text, p_reference text, p_postings jsonb,
                            p_cap bigint DEFAULT NULL, p_reserve jsonb DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  r record;
  v_result jsonb;
BEGIN
  PERFORM money.check_transactions(jsonb_build_array(jsonb_build_object('id', p_id, 'kind', p_kind, 'postings', p_postings)));
  IF p_reserve IS NOT NULL AND (jsonb_typeof(p_reserve) IS DISTINCT FROM 'array' OR EXISTS (
       SELECT 1 FROM jsonb_array_elements(p_reserve) AS x(h)
       WHERE jsonb_typeof(h->'account') IS DISTINCT FROM 'string' OR jsonb_typeof(h->'amount') IS DISTINCT FROM 'number'
          OR (h->'amount')::numeric = 0 OR (h->'amount')::numeric <> trunc((h->'amount')::numeric))) THEN
    RAISE EXCEPTION 'LEDGER_INVALID:%:reservations are [{account, amount}] with a non-zero integer amount', p_id
      USING ERRCODE = '22023';
  END IF;
  -- Claiming the id first makes a concurrent twin wait for us, then replay our posting.
  INSERT INTO money.ledger_transactions (id, kind, reference) VALUES (p_id, p_kind, coalesce(p_reference, ''))
    ON CONFLICT (id) DO NOTHING;
  IF NOT FOUND THEN
    RETURN money.posted_before(p_id, p_kind, coalesce(p_reference, ''), p_postings);
  END IF;
  -- One conditional update per account, in id order so that concurrent postings cannot deadlock.
  FOR r IN
    SELECT m.account, m.currency, sum(m.dr)::bigint AS dr, sum(m.cr)::bigint AS cr, sum(m.held)::bigint AS held
    FROM (SELECT p->>'account' AS account, p->>'currency' AS currency,
                 CASE p->>'side' WHEN 'D' THEN (p->>'amount')::bigint ELSE 0 END AS dr,
                 CASE p->>'side' WHEN 'C' THEN (p->>'amount')::bigint ELSE 0 END AS cr,
                 0::bigint AS held
          FROM jsonb_array_elements(p_postings) AS e(p)
          UNION ALL
          -- reservations are of won
          SELECT h->>'account', 'KRW', 0, 0, (h->>'amount')::bigint
          FROM jsonb_array_elements(coalesce(p_reserve, '[]'::jsonb)) AS x(h)) AS m
    GROUP BY 1, 2
    ORDER BY 1, 2
  LOOP
    UPDATE money.accounts AS a
       SET debit_total = a.debit_total + r.dr,
           credit_total = a.credit_total + r.cr,
           balance = a.balance + CASE a.normal_side WHEN 'D' THEN r.dr - r.cr ELSE r.cr - r.dr END,
           reserved_in = a.reserved_in + r.held,
           updated_at = now()
     WHERE a.id = r.account AND a.status = 'OPEN' AND a.currency = r.currency
       -- member money and points (both credit-normal) never go below 0
       AND (a.kind NOT IN ('member_money', 'member_points') OR a.balance + r.cr - r.dr >= 0)
       AND a.reserved_in + r.held >= 0
       -- what member money holds or is promised may grow only within the cap
       AND (p_cap IS NULL OR a.kind <> 'member_money' OR r.cr - r.dr + r.held <= 0
            OR a.balance + r.cr - r.dr + a.reserved_in + r.held <= p_cap);
    IF NOT FOUND THEN
      PERFORM money.refuse_posting(r.account, r.currency, r.cr - r.dr, r.held);
    END IF;
  END LOOP;
  -- balance_after of each entry: the account's new balance less what later postings to it added.
  WITH ins AS (
    INSERT INTO money.ledger_entries (id, transaction_id, account_id, side, amount, currency, balance_after)
    SELECT money.new_entry_id(), p_id, e.p->>'account', e.p->>'side', (e.p->>'amount')::bigint, e.p->>'currency',
           a.balance - coalesce(sum(CASE WHEN e.p->>'side' = a.normal_side THEN (e.p->>'amount')::bigint
                                         ELSE -(e.p->>'amount')::bigint END)
             OVER (PARTITION BY a.id ORDER BY e.ord ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), 0)
    FROM jsonb_array_elements(p_postings) WITH ORDINALITY AS e(p, ord)
    JOIN money.accounts AS a ON a.id = e.p->>'account'
    ORDER BY e.ord
    RETURNING id, seq, account_id, side, amount, balance_after)
  SELECT jsonb_build_object('replayed', false, 'entries', jsonb_agg(jsonb_build_object(
      'entryId', id, 'seq', seq, 'account', account_id, 'side', side, 'amount', amount, 'balanceAfter', balance_after)
      ORDER BY seq))
    INTO v_result
  FROM ins;
  RETURN v_result;
END $$;

-- post_ledger, with expected failures (P0001) returned as {failure, detail} instead of raised: the
-- exception block rolls back only this posting, so the caller's transaction stays usable.
CREATE FUNCTION try_post_ledger(p_id text, p_kind text, p_reference text, p_postings jsonb,
                                p_cap bigint DEFAULT NULL, p_reserve jsonb DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
  RETURN money.post_ledger(p_id, p_kind, p_reference, p_postings, p_cap, p_reserve);
EXCEPTION WHEN raise_exception THEN
  RETURN jsonb_build_object('failure', split_part(SQLERRM, ':', 1), 'detail', substr(SQLERRM, strpos(SQLERRM, ':') + 1));
END $$;

-- As in 001, and a transaction id already posted (before, or earlier in the same batch) must come
-- with the same postings, else LEDGER_ID_REUSED.
CREATE OR REPLACE FUNCTION post_ledger_batch(p_transactions jsonb, p_cap bigint DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_new text[];
  v_current text;
  v_refusal record;
BEGIN
  IF jsonb_typeof(p_transactions) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'LEDGER_INVALID:a batch is an array of transactions' USING ERRCODE = '22023';
  END IF;
  PERFORM money.check_transactions(p_transactions);
  -- Claimed in id order, so that two batches wait for each other instead of deadlocking.
  WITH claimed AS (
    INSERT INTO money.ledger_transactions (id, kind, reference)
    SELECT DISTINCT ON (x.tx->>'id') x.tx->>'id', x.tx->>'kind', coalesce(x.tx->>'reference', '')
    FROM jsonb_array_elements(p_transactions) WITH ORDINALITY AS x(tx, ord)
    ORDER BY x.tx->>'id', x.ord
    ON CONFLICT (id) DO NOTHING RETURNING id)
  SELECT coalesce(array_agg(id), '{}') INTO v_new FROM claimed;
  SELECT x.tx->>'id' INTO v_current
  FROM jsonb_array_elements(p_transactions) AS x(tx) JOIN money.ledger_transactions AS l ON l.id = x.tx->>'id'
  WHERE l.kind <> x.tx->>'kind' OR l.reference <> coalesce(x.tx->>'reference', '')
  LIMIT 1;
  IF v_current IS NOT NULL THEN
    RAISE EXCEPTION 'LEDGER_ID_REUSED:%', v_current USING ERRCODE = 'P0001';
  END IF;
  PERFORM 1 FROM money.accounts WHERE id IN (SELECT b.account FROM money.batch_postings(p_transactions, v_new) AS b)
   ORDER BY id FOR NO KEY UPDATE;
  SELECT * INTO v_refusal FROM money.batch_refusal(p_transactions, v_new, p_cap) AS r
  WHERE r.refusal IS NOT NULL ORDER BY r.tx_ord, r.account LIMIT 1;
  IF v_refusal.refusal = 'LEDGER_CURRENCY_MISMATCH' THEN
    RAISE EXCEPTION 'LEDGER_CURRENCY_MISMATCH:%', v_refusal.account USING ERRCODE = '22023';
  ELSIF v_refusal.refusal IS NOT NULL THEN
    v_current := v_refusal.tx_id;
    RAISE EXCEPTION '%:%', v_refusal.refusal, v_refusal.account USING ERRCODE = 'P0001';
  END IF;
  -- The accounts still hold their balances from before the batch: entries add up from there.
  INSERT INTO money.ledger_entries (id, transaction_id, account_id, side, amount, currency, balance_after)
  SELECT money.new_entry_id(), b.tx_id, b.account, b.side, b.amount, b.currency,
         a.balance + sum(CASE WHEN b.side = a.normal_side THEN b.amount ELSE -b.amount END)
           OVER (PARTITION BY b.account ORDER BY b.tx_ord, b.ord ROWS UNBOUNDED PRECEDING)
  FROM money.batch_postings(p_transactions, v_new) AS b JOIN money.accounts AS a ON a.id = b.account
  ORDER BY b.tx_ord, b.ord;
  -- Every id of the batch now has its entries. The first occurrence of a new id wrote them, so only
  -- replays (ids posted before, or repeated within the batch) are compared; CASE keeps the others cheap.
  SELECT g.id INTO v_current
  FROM (SELECT x.ord, x.tx->>'id' AS id, x.tx->'postings' AS postings,
               row_number() OVER (PARTITION BY x.tx->>'id' ORDER BY x.ord) AS nth
        FROM jsonb_array_elements(p_transactions) WITH ORDINALITY AS x(tx, ord)) AS g
  WHERE CASE WHEN g.nth > 1 OR NOT (g.id = ANY (v_new))
             THEN money.postings_key(g.postings) IS DISTINCT FROM money.entries_key(g.id)
             ELSE false END
  ORDER BY g.ord LIMIT 1;
  IF v_current IS NOT NULL THEN
    RAISE EXCEPTION 'LEDGER_ID_REUSED:%', v_current USING ERRCODE = 'P0001';
  END IF;
  UPDATE money.accounts AS a
     SET debit_total = a.debit_total + d.dr,
         credit_total = a.credit_total + d.cr,
         balance = a.balance + CASE a.normal_side WHEN 'D' THEN d.dr - d.cr ELSE d.cr - d.dr END,
         updated_at = now()
    FROM (SELECT b.account, coalesce(sum(b.amount) FILTER (WHERE b.side = 'D'), 0) AS dr,
                 coalesce(sum(b.amount) FILTER (WHERE b.side = 'C'), 0) AS cr
          FROM money.batch_postings(p_transactions, v_new) AS b GROUP BY b.account) AS d
   WHERE a.id = d.account;
  RETURN jsonb_build_object('posted', cardinality(v_new), 'replayed', jsonb_array_length(p_transactions) - cardinality(v_new));
EXCEPTION WHEN raise_exception THEN
  RETURN jsonb_build_object('failure', split_part(SQLERRM, ':', 1), 'detail', substr(SQLERRM, strpos(SQLERRM, ':') + 1),
    'transactionId', v_current);
END $$;

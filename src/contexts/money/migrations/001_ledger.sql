-- The double-entry ledger of won (KRW) and points (PNT) (DESIGN.md "Money and the ledger").
-- An account's balance is kept on its normal side: a liability such as member money is positive
-- when mypay owes it. The chart of accounts itself is code (chart.ts); these rows are its instances.
CREATE TABLE accounts (
  id           TEXT PRIMARY KEY,
  kind         TEXT NOT NULL CHECK (kind IN ('corporate_cash', 'money_in_transit', 'member_money',
                 'member_points', 'points_issued', 'franchise_payable', 'fee_revenue', 'commission_revenue',
                 'firmbanking_fee_expense', 'bank_fees_payable', 'points_expense')),
  currency     TEXT NOT NULL CHECK (currency IN ('KRW', 'PNT')),
  owner_id     TEXT,
  normal_side  TEXT NOT NULL CHECK (normal_side IN ('D', 'C')),
  balance      BIGINT NOT NULL DEFAULT 0,
  debit_total  BIGINT NOT NULL DEFAULT 0 CHECK (debit_total >= 0),
  credit_total BIGINT NOT NULL DEFAULT 0 CHECK (credit_total >= 0),
  -- Won promised to this member money account by recharges (or refunds) in flight: counted against the cap.
  reserved_in  BIGINT NOT NULL DEFAULT 0 CHECK (reserved_in >= 0),
  status       TEXT NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'CLOSED')),
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- Belt and braces behind post_ledger: the totals and the balance can never disagree, and no
  -- member ever holds a negative balance, whatever SQL someone runs.
  CONSTRAINT accounts_balance_is_net CHECK (
    balance = CASE normal_side WHEN 'D' THEN debit_total - credit_total ELSE credit_total - debit_total END),
  CONSTRAINT accounts_member_not_negative CHECK (kind NOT IN ('member_money', 'member_points') OR balance >= 0)
);

-- Append-only: a mistake is corrected by a new, reversing transaction, never by an edit.
CREATE TABLE ledger_transactions (
  id         TEXT PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind <> ''),
  reference  TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE ledger_entries (
  id             TEXT PRIMARY KEY,
  -- Order of posting; per account it is also commit order, because posting holds the account's row lock.
  seq            BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
  transaction_id TEXT NOT NULL REFERENCES ledger_transactions (id),
  account_id     TEXT NOT NULL REFERENCES accounts (id),
  side           TEXT NOT NULL CHECK (side IN ('D', 'C')),
  amount         BIGINT NOT NULL CHECK (amount > 0),
  currency       TEXT NOT NULL CHECK (currency IN ('KRW', 'PNT')),
  balance_after  BIGINT NOT NULL,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- A member's history, newest first, paged by seq.
CREATE INDEX ledger_entries_account_history ON ledger_entries (account_id, seq DESC);
CREATE INDEX ledger_entries_transaction ON ledger_entries (transaction_id);

CREATE FUNCTION refuse_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'LEDGER_APPEND_ONLY:% rows are never changed or deleted', TG_TABLE_NAME USING ERRCODE = '55000';
END $$;
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION refuse_ledger_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_ledger_change();

-- `ent_` + a UUIDv7 in hex, like newId("entry"): sortable by creation time. Generated here so that
-- one call can post many transactions without the caller inventing entry ids.
CREATE FUNCTION new_entry_id() RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT 'ent_' || encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
    52, 1), 53, 1), 'hex')
$$;

-- Checks transactions [{id, kind, reference, postings}] in a few set-based statements. A malformed
-- one is a bug in the caller: SQLSTATE 22023, which try_post_ledger and batches do not catch.
CREATE FUNCTION check_transactions(p_transactions jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_problem text;
BEGIN
  -- CASE evaluates in order, so each function below only sees the JSON type it takes.
  SELECT 'LEDGER_INVALID:' || coalesce(x.tx->>'id', '?') || ':a transaction needs an id, a kind and two postings'
    INTO v_problem
  FROM jsonb_array_elements(p_transactions) AS x(tx)
  WHERE CASE WHEN coalesce(x.tx->>'id', '') = '' OR coalesce(x.tx->>'kind', '') = '' THEN true
             WHEN jsonb_typeof(x.tx->'postings') IS DISTINCT FROM 'array' THEN true
             ELSE jsonb_array_length(x.tx->'postings') < 2 END
  LIMIT 1;
  IF v_problem IS NULL THEN
    SELECT y.problem INTO v_problem
    FROM jsonb_array_elements(p_transactions) AS x(tx)
    CROSS JOIN LATERAL jsonb_array_elements(x.tx->'postings') AS e(p)
    CROSS JOIN LATERAL (SELECT CASE
        WHEN jsonb_typeof(e.p->'account') IS DISTINCT FROM 'string' OR coalesce(e.p->>'side', '') NOT IN ('D', 'C')
          OR coalesce(e.p->>'currency', '') NOT IN ('KRW', 'PNT') THEN 'LEDGER_INVALID:' || (x.tx->>'id') || ':' || e.p::text
        WHEN jsonb_typeof(e.p->'amount') IS DISTINCT FROM 'number'
          THEN 'LEDGER_INVALID_AMOUNT:' || (x.tx->>'id') || ':' || e.p::text
        WHEN (e.p->'amount')::numeric <= 0 OR (e.p->'amount')::numeric <> trunc((e.p->'amount')::numeric)
          OR (e.p->'amount')::numeric > 9007199254740991
          THEN 'LEDGER_INVALID_AMOUNT:' || (x.tx->>'id') || ':' || e.p::text
      END AS problem) AS y
    WHERE y.problem IS NOT NULL
    LIMIT 1;
  END IF;
  IF v_problem IS NULL THEN
    SELECT 'LEDGER_UNBALANCED:' || (x.tx->>'id') || ':' || (e.p->>'currency') INTO v_problem
    FROM jsonb_array_elements(p_transactions) WITH ORDINALITY AS x(tx, ord)
    CROSS JOIN LATERAL jsonb_array_elements(x.tx->'postings') AS e(p)
    GROUP BY x.ord, x.tx->>'id', e.p->>'currency'
    HAVING sum(CASE e.p->>'side' WHEN 'D' THEN (e.p->'amount')::numeric ELSE -(e.p->'amount')::numeric END) <> 0
    LIMIT 1;
  END IF;
  IF v_problem IS NOT NULL THEN
    RAISE EXCEPTION '%', v_problem USING ERRCODE = '22023';
  END IF;
END $$;

-- Says why a conditional update of one account matched no row. Expected failures are P0001 with
-- 'CODE:<account>'; a currency mismatch is a bug (22023).
CREATE FUNCTION refuse_posting(p_account text, p_currency text, p_net_credit bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  a record;
BEGIN
  SELECT kind, currency, status INTO a FROM money.accounts WHERE id = p_account;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'ACCOUNT_NOT_FOUND:%', p_account USING ERRCODE = 'P0001';
  ELSIF a.currency <> p_currency THEN
    RAISE EXCEPTION 'LEDGER_CURRENCY_MISMATCH:%:% is %', p_account, p_currency, a.currency USING ERRCODE = '22023';
  ELSIF a.status <> 'OPEN' THEN
    RAISE EXCEPTION 'ACCOUNT_CLOSED:%', p_account USING ERRCODE = 'P0001';
  ELSIF p_net_credit < 0 AND a.kind = 'member_points' THEN
    RAISE EXCEPTION 'INSUFFICIENT_POINTS:%', p_account USING ERRCODE = 'P0001';
  ELSIF p_net_credit < 0 THEN
    RAISE EXCEPTION 'INSUFFICIENT_BALANCE:%', p_account USING ERRCODE = 'P0001';
  END IF;
  RAISE EXCEPTION 'BALANCE_LIMIT_EXCEEDED:%', p_account USING ERRCODE = 'P0001';
END $$;

-- The first posting of a transaction id, for an idempotent retry. The same id with another kind or
-- reference is not a retry but a clash (P0001 LEDGER_ID_REUSED).
CREATE FUNCTION posted_before(p_id text, p_kind text, p_reference text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  t record;
  v_result jsonb;
BEGIN
  SELECT kind, reference INTO t FROM money.ledger_transactions WHERE id = p_id;
  IF t.kind <> p_kind OR t.reference <> p_reference THEN
    RAISE EXCEPTION 'LEDGER_ID_REUSED:%', p_id USING ERRCODE = 'P0001';
  END IF;
  SELECT jsonb_build_object('replayed', true, 'entries', coalesce(jsonb_agg(jsonb_build_object(
      'entryId', id, 'seq', seq, 'account', account_id, 'side', side, 'amount', amount, 'balanceAfter', balance_after)
      ORDER BY seq), '[]'::jsonb))
    INTO v_result
  FROM money.ledger_entries WHERE transaction_id = p_id;
  RETURN v_result;
END $$;

-- Posts one balanced transaction in one call; raises on any failure (see try_post_ledger for a
-- variant that returns expected failures as values). p_postings: [{account, side, amount, currency}].
-- p_cap: the most a member money account may hold (balance + reserved_in), NULL for no cap.
CREATE FUNCTION post_ledger(p_id text, p_kind text, p_reference text, p_postings jsonb, p_cap bigint DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  r record;
  v_result jsonb;
BEGIN
  PERFORM money.check_transactions(jsonb_build_array(jsonb_build_object('id', p_id, 'kind', p_kind, 'postings', p_postings)));
  -- Claiming the id first makes a concurrent twin wait for us, then replay our posting.
  INSERT INTO money.ledger_transactions (id, kind, reference) VALUES (p_id, p_kind, coalesce(p_reference, ''))
    ON CONFLICT (id) DO NOTHING;
  IF NOT FOUND THEN
    RETURN money.posted_before(p_id, p_kind, coalesce(p_reference, ''));
  END IF;
  -- One conditional update per account, in id order so that concurrent postings cannot deadlock.
  FOR r IN
    SELECT p->>'account' AS account, p->>'currency' AS currency,
           coalesce(sum((p->>'amount')::bigint) FILTER (WHERE p->>'side' = 'D'), 0)::bigint AS dr,
           coalesce(sum((p->>'amount')::bigint) FILTER (WHERE p->>'side' = 'C'), 0)::bigint AS cr
    FROM jsonb_array_elements(p_postings) AS e(p)
    GROUP BY 1, 2
    ORDER BY 1, 2
  LOOP
    UPDATE money.accounts AS a
       SET debit_total = a.debit_total + r.dr,
           credit_total = a.credit_total + r.cr,
           balance = a.balance + CASE a.normal_side WHEN 'D' THEN r.dr - r.cr ELSE r.cr - r.dr END,
           updated_at = now()
     WHERE a.id = r.account AND a.status = 'OPEN' AND a.currency = r.currency
       -- member money and points (both credit-normal) never go below 0
       AND (a.kind NOT IN ('member_money', 'member_points') OR a.balance + r.cr - r.dr >= 0)
       -- a credit to member money must leave room for the won already promised to it
       AND (p_cap IS NULL OR a.kind <> 'member_money' OR r.cr <= r.dr
            OR a.balance + r.cr - r.dr + a.reserved_in <= p_cap);
    IF NOT FOUND THEN
      PERFORM money.refuse_posting(r.account, r.currency, r.cr - r.dr);
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
CREATE FUNCTION try_post_ledger(p_id text, p_kind text, p_reference text, p_postings jsonb, p_cap bigint DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
  RETURN money.post_ledger(p_id, p_kind, p_reference, p_postings, p_cap);
EXCEPTION WHEN raise_exception THEN
  RETURN jsonb_build_object('failure', split_part(SQLERRM, ':', 1), 'detail', substr(SQLERRM, strpos(SQLERRM, ':') + 1));
END $$;

-- The postings of a batch's transactions that are new (ids in p_new; the first of a repeated id).
CREATE FUNCTION batch_postings(p_transactions jsonb, p_new text[])
RETURNS TABLE (tx_ord bigint, tx_id text, ord bigint, account text, side text, amount bigint, currency text)
LANGUAGE sql STABLE AS $$
  SELECT t.ord, t.id, p.ord, p.p->>'account', p.p->>'side', (p.p->>'amount')::bigint, p.p->>'currency'
  FROM (SELECT x.ord, x.tx, x.tx->>'id' AS id, row_number() OVER (PARTITION BY x.tx->>'id' ORDER BY x.ord) AS nth
        FROM jsonb_array_elements(p_transactions) WITH ORDINALITY AS x(tx, ord)) AS t
  CROSS JOIN LATERAL jsonb_array_elements(t.tx->'postings') WITH ORDINALITY AS p(p, ord)
  WHERE t.nth = 1 AND t.id = ANY (p_new)
$$;

-- The first refusal a batch meets, in batch order, by the rules post_ledger applies one account at
-- a time: each account's running balance through the batch must keep members at or above 0 and,
-- where a transaction credits member money, within the cap. NULL refusal when there is none.
CREATE FUNCTION batch_refusal(p_transactions jsonb, p_new text[], p_cap bigint)
RETURNS TABLE (tx_ord bigint, tx_id text, account text, refusal text) LANGUAGE sql STABLE AS $$
  SELECT m.tx_ord, m.tx_id, m.account, CASE
      WHEN a.id IS NULL THEN 'ACCOUNT_NOT_FOUND'
      WHEN a.currency <> m.currency THEN 'LEDGER_CURRENCY_MISMATCH'
      WHEN a.status <> 'OPEN' THEN 'ACCOUNT_CLOSED'
      -- member money and points are credit-normal, so their running balance adds credits
      WHEN a.kind = 'member_points' AND a.balance + m.run < 0 THEN 'INSUFFICIENT_POINTS'
      WHEN a.kind = 'member_money' AND a.balance + m.run < 0 THEN 'INSUFFICIENT_BALANCE'
      WHEN p_cap IS NOT NULL AND a.kind = 'member_money' AND m.cr > m.dr
        AND a.balance + m.run + a.reserved_in > p_cap THEN 'BALANCE_LIMIT_EXCEEDED'
    END
  FROM (SELECT g.*, sum(g.cr - g.dr) OVER (PARTITION BY g.account ORDER BY g.tx_ord) AS run
        FROM (SELECT b.tx_ord, b.tx_id, b.account, b.currency,
                     coalesce(sum(b.amount) FILTER (WHERE b.side = 'D'), 0) AS dr,
                     coalesce(sum(b.amount) FILTER (WHERE b.side = 'C'), 0) AS cr
              FROM money.batch_postings(p_transactions, p_new) AS b GROUP BY 1, 2, 3, 4) AS g) AS m
  LEFT JOIN money.accounts AS a ON a.id = m.account
$$;

-- Many transactions in one call, all or nothing, set-based: a handful of statements whatever the
-- batch size. [{id, kind, reference, postings}] -> {posted, replayed}, or {failure, detail,
-- transactionId} for an expected refusal (nothing of the batch is posted; one exception block per
-- batch keeps PostgreSQL's subtransaction count at one). Accounts are locked in id order, so
-- batches and single postings cannot deadlock.
CREATE FUNCTION post_ledger_batch(p_transactions jsonb, p_cap bigint DEFAULT NULL)
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

-- Group commit (DESIGN.md "Money and the ledger"): the postings of many requests in one call and one
-- commit, each request (an item) accepted or refused on its own, in order, by the rules post_ledger
-- applies to one; every account is locked once, in id order, and updated once for the whole group,
-- so a busy account (corporate cash, the points expense, a popular franchise's payable) is one row
-- update per batch instead of one per request.

-- The accounts a group touches: every posting's and every reservation's.
CREATE FUNCTION group_accounts(p_items jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(array_agg(DISTINCT a ORDER BY a), '{}')
  FROM (SELECT p->>'account' AS a
        FROM jsonb_array_elements(p_items) AS i(item)
        CROSS JOIN LATERAL jsonb_array_elements(i.item->'transactions') AS t(tx)
        CROSS JOIN LATERAL jsonb_array_elements(t.tx->'postings') AS e(p)
        UNION ALL
        SELECT h->>'account'
        FROM jsonb_array_elements(p_items) AS i(item)
        CROSS JOIN LATERAL jsonb_array_elements(i.item->'transactions') AS t(tx)
        CROSS JOIN LATERAL jsonb_array_elements(coalesce(t.tx->'reserve', '[]'::jsonb)) AS x(h)) AS s
$$;

-- p_items: [{transactions: [{id, kind, reference, postings, cap?, reserve?}]}], where reserve is
-- [{account, amount}] (+ reserves, − releases) as post_ledger's p_reserve, and cap as its p_cap.
-- An item's transactions post all or none, in order (a payment never spends the points it earns).
-- Returns one result per item, in order: {posted: [{id, replayed}]} or {failure, detail}; the
-- entries of each transaction id are under 'entries' (new and replayed alike, ordered by seq).
-- A malformed item is a bug in the caller (22023) and fails the whole call, as it would alone.
CREATE FUNCTION post_ledger_group(p_items jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_ids text[];
  v_pos jsonb;
  v_bal bigint[]; v_dt bigint[]; v_ct bigint[]; v_res bigint[];
  v_kind text[]; v_cur text[]; v_status text[]; v_normal text[];
  v_touched boolean[];
  v_known jsonb;              -- ids posted before this call: {id: {kind, reference}}
  v_mine jsonb := '{}';       -- ids posted by this call: {id: postings key}
  v_item jsonb; v_txn jsonb; r record;
  v_results jsonb := '[]';
  v_txns jsonb := '[]';       -- new ledger_transactions rows
  v_entries jsonb := '[]';    -- new ledger_entries rows, in posting order
  v_item_txns jsonb; v_item_entries jsonb; v_item_posted jsonb;
  v_undo jsonb;               -- [[index, balance, debit, credit, reserved]] to restore on a refusal
  v_failure text; v_detail text;
  v_id text; v_i int; v_cap bigint; v_net bigint; v_running bigint;
  v_replays text[] := '{}';
  v_by_id jsonb;
BEGIN
  IF jsonb_typeof(p_items) IS DISTINCT FROM 'array' THEN
    RAISE EXCEPTION 'LEDGER_INVALID:a group is an array of items' USING ERRCODE = '22023';
  END IF;
  PERFORM money.check_transactions(coalesce(
    (SELECT jsonb_agg(t.tx) FROM jsonb_array_elements(p_items) AS i(item)
       CROSS JOIN LATERAL jsonb_array_elements(i.item->'transactions') AS t(tx)), '[]'::jsonb));
  -- Every account of the group, locked once in id order (the ledger's one lock order) and read in
  -- the same statement.
  WITH locked AS (
    SELECT id, balance, debit_total, credit_total, reserved_in, kind, currency, status, normal_side
    FROM money.accounts WHERE id = ANY (money.group_accounts(p_items)) ORDER BY id FOR NO KEY UPDATE)
  SELECT array_agg(id ORDER BY id), array_agg(balance ORDER BY id), array_agg(debit_total ORDER BY id),
         array_agg(credit_total ORDER BY id), array_agg(reserved_in ORDER BY id), array_agg(kind ORDER BY id),
         array_agg(currency ORDER BY id), array_agg(status ORDER BY id), array_agg(normal_side ORDER BY id)
    INTO v_ids, v_bal, v_dt, v_ct, v_res, v_kind, v_cur, v_status, v_normal
  FROM locked;
  SELECT coalesce(jsonb_object_agg(u.id, u.ord), '{}') INTO v_pos FROM unnest(v_ids) WITH ORDINALITY AS u(id, ord);
  v_touched := array_fill(false, ARRAY[greatest(coalesce(cardinality(v_ids), 0), 1)]);
  -- Read after the locks: a twin posting the same id held them, so it has committed by now.
  SELECT coalesce(jsonb_object_agg(l.id, jsonb_build_object('kind', l.kind, 'reference', l.reference)), '{}')
    INTO v_known
  FROM money.ledger_transactions AS l
  WHERE l.id IN (SELECT t.tx->>'id' FROM jsonb_array_elements(p_items) AS i(item)
                   CROSS JOIN LATERAL jsonb_array_elements(i.item->'transactions') AS t(tx));

  FOR v_item IN SELECT item FROM jsonb_array_elements(p_items) WITH ORDINALITY AS i(item, ord) ORDER BY ord LOOP
    v_failure := NULL; v_undo := '[]'; v_item_txns := '{}'; v_item_entries := '[]'; v_item_posted := '[]';
    FOR v_txn IN SELECT tx FROM jsonb_array_elements(v_item->'transactions') WITH ORDINALITY AS t(tx, ord) ORDER BY ord LOOP
      EXIT WHEN v_failure IS NOT NULL;
      v_id := v_txn->>'id';
      IF v_known ? v_id OR v_mine ? v_id OR v_item_posted @> jsonb_build_array(jsonb_build_object('id', v_id)) THEN
        -- A retry: the same kind, reference and postings as the first, or a clash.
        IF (v_known ? v_id AND ((v_known->v_id->>'kind') <> (v_txn->>'kind')
              OR (v_known->v_id->>'reference') <> coalesce(v_txn->>'reference', '')
              OR money.postings_key(v_txn->'postings') IS DISTINCT FROM money.entries_key(v_id)))
           OR (NOT v_known ? v_id AND coalesce(v_mine->v_id, v_item_txns->v_id->'key')
                IS DISTINCT FROM jsonb_build_object('kind', v_txn->>'kind', 'reference', coalesce(v_txn->>'reference', ''),
                                                    'postings', money.postings_key(v_txn->'postings'))) THEN
          v_failure := 'LEDGER_ID_REUSED'; v_detail := v_id;
        ELSE
          v_item_posted := v_item_posted || jsonb_build_array(jsonb_build_object('id', v_id, 'replayed', true));
          IF v_known ? v_id THEN v_replays := v_replays || v_id; END IF;
        END IF;
        CONTINUE;
      END IF;
      v_cap := (v_txn->>'cap')::bigint;
      -- Each account's change by this transaction, in id order: the checks of post_ledger's update.
      FOR r IN
        SELECT m.account, m.currency, sum(m.dr)::bigint AS dr, sum(m.cr)::bigint AS cr, sum(m.held)::bigint AS held
        FROM (SELECT p->>'account' AS account, p->>'currency' AS currency,
                     CASE p->>'side' WHEN 'D' THEN (p->>'amount')::bigint ELSE 0 END AS dr,
                     CASE p->>'side' WHEN 'C' THEN (p->>'amount')::bigint ELSE 0 END AS cr, 0::bigint AS held
              FROM jsonb_array_elements(v_txn->'postings') AS e(p)
              UNION ALL
              SELECT h->>'account', 'KRW', 0, 0, (h->>'amount')::bigint
              FROM jsonb_array_elements(coalesce(v_txn->'reserve', '[]'::jsonb)) AS x(h)) AS m
        GROUP BY 1, 2 ORDER BY 1, 2
      LOOP
        v_i := (v_pos->>r.account)::int;
        IF v_i IS NULL THEN
          v_failure := 'ACCOUNT_NOT_FOUND';
        ELSIF v_cur[v_i] <> r.currency THEN
          RAISE EXCEPTION 'LEDGER_CURRENCY_MISMATCH:%:% is %', r.account, r.currency, v_cur[v_i] USING ERRCODE = '22023';
        ELSIF v_status[v_i] <> 'OPEN' THEN
          v_failure := 'ACCOUNT_CLOSED';
        ELSIF v_res[v_i] + r.held < 0 THEN
          RAISE EXCEPTION 'LEDGER_RESERVATION:% has less than % won reserved', r.account, -r.held USING ERRCODE = '22023';
        ELSIF v_kind[v_i] IN ('member_money', 'member_points') AND v_bal[v_i] + r.cr - r.dr < 0 THEN
          v_failure := CASE v_kind[v_i] WHEN 'member_points' THEN 'INSUFFICIENT_POINTS' ELSE 'INSUFFICIENT_BALANCE' END;
        ELSIF v_cap IS NOT NULL AND v_kind[v_i] = 'member_money' AND r.cr - r.dr + r.held > 0
              AND v_bal[v_i] + r.cr - r.dr + v_res[v_i] + r.held > v_cap THEN
          v_failure := 'BALANCE_LIMIT_EXCEEDED';
        END IF;
        IF v_failure IS NOT NULL THEN
          v_detail := r.account;
          EXIT;
        END IF;
        v_undo := v_undo || jsonb_build_array(jsonb_build_array(v_i, v_bal[v_i], v_dt[v_i], v_ct[v_i], v_res[v_i], v_touched[v_i]));
        v_dt[v_i] := v_dt[v_i] + r.dr;
        v_ct[v_i] := v_ct[v_i] + r.cr;
        v_res[v_i] := v_res[v_i] + r.held;
        v_touched[v_i] := true;
      END LOOP;
      EXIT WHEN v_failure IS NOT NULL;
      -- The entries in posting order, each with its account's running balance.
      FOR r IN SELECT e.p FROM jsonb_array_elements(v_txn->'postings') WITH ORDINALITY AS e(p, ord) ORDER BY ord LOOP
        v_i := (v_pos->>(r.p->>'account'))::int;
        v_net := CASE WHEN r.p->>'side' = v_normal[v_i] THEN (r.p->>'amount')::bigint ELSE -(r.p->>'amount')::bigint END;
        v_bal[v_i] := v_bal[v_i] + v_net;
        v_item_entries := v_item_entries || jsonb_build_array(jsonb_build_object(
          'tx', v_id, 'account', r.p->>'account', 'side', r.p->>'side', 'amount', (r.p->>'amount')::bigint,
          'currency', r.p->>'currency', 'after', v_bal[v_i]));
      END LOOP;
      v_item_txns := jsonb_set(v_item_txns, ARRAY[v_id], jsonb_build_object('key', jsonb_build_object(
        'kind', v_txn->>'kind', 'reference', coalesce(v_txn->>'reference', ''),
        'postings', money.postings_key(v_txn->'postings'))));
      v_item_posted := v_item_posted || jsonb_build_array(jsonb_build_object('id', v_id, 'replayed', false));
    END LOOP;

    IF v_failure IS NOT NULL THEN
      -- Refused: this item's changes are undone, newest first; the others stand.
      FOR r IN SELECT u FROM jsonb_array_elements(v_undo) WITH ORDINALITY AS x(u, ord) ORDER BY ord DESC LOOP
        v_i := (r.u->>0)::int;
        v_bal[v_i] := (r.u->>1)::bigint; v_dt[v_i] := (r.u->>2)::bigint; v_ct[v_i] := (r.u->>3)::bigint;
        v_res[v_i] := (r.u->>4)::bigint; v_touched[v_i] := (r.u->>5)::boolean;
      END LOOP;
      v_results := v_results || jsonb_build_array(jsonb_build_object('failure', v_failure, 'detail', v_detail));
    ELSE
      FOR r IN SELECT key, value FROM jsonb_each(v_item_txns) LOOP
        v_mine := jsonb_set(v_mine, ARRAY[r.key], r.value->'key');
        v_txns := v_txns || jsonb_build_array(jsonb_build_object('id', r.key, 'kind', r.value->'key'->>'kind',
                                                                 'reference', r.value->'key'->>'reference'));
      END LOOP;
      v_entries := v_entries || v_item_entries;
      v_results := v_results || jsonb_build_array(jsonb_build_object('posted', v_item_posted));
    END IF;
  END LOOP;

  INSERT INTO money.ledger_transactions (id, kind, reference)
  SELECT x->>'id', x->>'kind', x->>'reference' FROM jsonb_array_elements(v_txns) AS t(x) ORDER BY x->>'id';
  UPDATE money.accounts AS a
     SET balance = s.bal, debit_total = s.dt, credit_total = s.ct, reserved_in = s.res, updated_at = now()
    FROM unnest(v_ids, v_bal, v_dt, v_ct, v_res, v_touched) AS s(id, bal, dt, ct, res, touched)
   WHERE a.id = s.id AND s.touched;
  -- The entries of every transaction id of the group, new (inserted now) and replayed alike.
  WITH ins AS (
    INSERT INTO money.ledger_entries (id, transaction_id, account_id, side, amount, currency, balance_after)
    SELECT money.new_entry_id(), x->>'tx', x->>'account', x->>'side', (x->>'amount')::bigint, x->>'currency',
           (x->>'after')::bigint
    FROM jsonb_array_elements(v_entries) WITH ORDINALITY AS e(x, ord) ORDER BY ord
    RETURNING id, seq, transaction_id, account_id, side, amount, balance_after),
  every AS (
    SELECT * FROM ins
    UNION ALL
    SELECT id, seq, transaction_id, account_id, side, amount, balance_after
    FROM money.ledger_entries WHERE transaction_id = ANY (v_replays))
  SELECT coalesce(jsonb_object_agg(transaction_id, entries), '{}') INTO v_by_id
  FROM (SELECT transaction_id, jsonb_agg(jsonb_build_object('entryId', id, 'seq', seq, 'account', account_id,
                 'side', side, 'amount', amount, 'balanceAfter', balance_after) ORDER BY seq) AS entries
        FROM every GROUP BY transaction_id) AS g;
  RETURN jsonb_build_object('results', v_results, 'entries', v_by_id);
END $$;

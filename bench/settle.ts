// Time to settle: N payments over F franchises, settled by one run (claim, record, F payouts by
// firmbanking through the sandbox bank over HTTP, then SETTLED). The payments are seeded in bulk with
// SQL (their slips, and the ledger they would have left: a funded buyer and each franchise's payable),
// since making a million of them through the API is a different benchmark.
// The anchor, measured first on a copy of the very same rows (same indexes): the least a settlement can
// cost, one SELECT summing per franchise and rate, and one UPDATE marking them SETTLED, in one transaction.
import { accounts, type LedgerTransaction, postBatch } from "../src/contexts/money/ledger.js";
import { unwrap } from "../src/kernel/errors.js";
import { newId } from "../src/kernel/ids.js";
import type { Db } from "../src/platform/db/db.js";
import { type HttpWorld, startHttpWorld } from "./http.js";
import { benchMembers, json } from "./world.js";

export interface SettleBenchResult {
  readonly payments: number;
  readonly franchises: number;
  readonly seconds: number;
  /** One raw aggregate and update over a copy of the same rows. */
  readonly anchorSeconds: number;
  readonly net: number;
  readonly paidAtBank: number;
}

export async function benchSettle(
  db: Db,
  o: { payments: number; franchises: number; timeoutSeconds: number },
): Promise<SettleBenchResult> {
  const w = await startHttpWorld(db);
  try {
    const [buyer] = await benchMembers(w, 1);
    const [merchant] = await benchMembers(w, 1, { type: "merchant" });
    const account = await json("POST", `${w.bank}/accounts`, {
      bankCode: "004",
      holderName: merchant!.name,
      balance: 0,
    });
    const settlementAccount = account.accountNumber as string;
    const franchiseIds = Array.from({ length: o.franchises }, () => newId("franchise"));
    await db.query(
      `INSERT INTO membership.franchises (id, owner_id, name, business_number, region, commission_bps,
         settlement_bank_code, settlement_account_number, settlement_holder_name, status, created_at, updated_at)
       SELECT f, $2, 'Bench Store', '1248100998', 'Seoul', 200, '004', $3, $4, 'ACTIVE', now(), now()
       FROM unnest($1::text[]) AS f`,
      [franchiseIds, merchant!.membershipId, settlementAccount, merchant!.name],
    );
    const amounts = await seedPayments(
      db,
      buyer!.membershipId,
      merchant!.membershipId,
      franchiseIds,
      o.payments,
    );
    await fundLedger(w, db, buyer!.membershipId, amounts);
    const anchorSeconds = await rawSettleSeconds(db);
    const started = performance.now();
    const run = await withinSeconds(o.timeoutSeconds, w.mypay.contexts.settlement.settle({ pollMs: 100 }));
    const seconds = (performance.now() - started) / 1000;
    const atBank = await json("GET", `${w.bank}/accounts/004/${settlementAccount}`);
    return {
      payments: o.payments,
      franchises: o.franchises,
      seconds,
      anchorSeconds,
      net: run.net ?? 0,
      paidAtBank: atBank.balance as number,
    };
  } finally {
    await w.close();
  }
}

/** A run that has not ended by then (a saga STUCK, say) fails the figure instead of hanging the bench. */
async function withinSeconds<T>(seconds: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the settlement run did not end within ${seconds} s`)),
      seconds * 1000,
    );
  });
  p.catch(() => {}); // a run given up on may still fail later, when its database is closed
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** NORMAL slips an hour old, spread evenly over the franchises, at two stamped rates (so commission is summed per rate). */
function seedPayments(db: Db, buyer: string, owner: string, franchiseIds: readonly string[], count: number) {
  return db.query<{ franchise_id: string; total: number }>(
    `WITH p AS (
       INSERT INTO payment.payments (id, membership_id, franchise_id, owner_id, amount, paid_with_money,
         paid_with_points, points_earned, commission_bps, status, created_at, completed_at)
       SELECT 'pay_' || md5(random()::text || g), $1, ($2::text[])[1 + g % cardinality($2::text[])], $3,
              1000 + (g % 50) * 100, 1000 + (g % 50) * 100, 0, 0, CASE WHEN g % 3 = 0 THEN 300 ELSE 200 END,
              'NORMAL', now() - interval '1 hour', now() - interval '1 hour'
       FROM generate_series(1, $4) AS g RETURNING franchise_id, amount)
     SELECT franchise_id, sum(amount)::bigint AS total FROM p GROUP BY franchise_id`,
    [buyer, franchiseIds, owner, count],
  );
}

/**
 * Copies the slips (with their indexes) into a scratch schema, then times one aggregate and one update
 * over the copy in one transaction. The copy is dropped; the real slips are untouched for the real run.
 */
async function rawSettleSeconds(db: Db): Promise<number> {
  await db.exec(`CREATE SCHEMA bench_anchor;
    CREATE TABLE bench_anchor.payments (LIKE payment.payments INCLUDING ALL);
    INSERT INTO bench_anchor.payments SELECT * FROM payment.payments;
    ANALYZE bench_anchor.payments;`);
  const started = performance.now();
  await db.tx(async (tx) => {
    await tx.query(
      `SELECT franchise_id, commission_bps, count(*) AS count, sum(amount)::bigint AS gross
       FROM bench_anchor.payments WHERE status = 'NORMAL' AND created_at < now()
       GROUP BY franchise_id, commission_bps`,
    );
    await tx.query(
      `UPDATE bench_anchor.payments SET status = 'SETTLED', settlement_id = 'bench-anchor', settled_at = now()
       WHERE status = 'NORMAL' AND created_at < now()`,
    );
  });
  const seconds = (performance.now() - started) / 1000;
  await db.exec("DROP SCHEMA bench_anchor CASCADE");
  return seconds;
}

/** The ledger the seeded payments would have left, with the won at the bank behind it. */
async function fundLedger(
  w: HttpWorld,
  db: Db,
  buyer: string,
  amounts: readonly { franchise_id: string; total: number }[],
) {
  const total = amounts.reduce((s, a) => s + a.total, 0);
  const corporate = await w.mypay.contexts.banking.api.corporateAccount();
  const funder = await json("POST", `${w.bank}/accounts`, {
    bankCode: "004",
    holderName: "Bench Funder",
    balance: total,
  });
  await json("POST", `${w.bank}/transfers`, {
    requestId: newId("firmbanking"),
    from: { bankCode: "004", accountNumber: funder.accountNumber },
    to: { bankCode: corporate.bankCode, accountNumber: corporate.accountNumber },
    amount: total,
  });
  const krw = (account: string, side: "D" | "C", amount: number) => ({
    account,
    side,
    amount,
    currency: "KRW" as const,
  });
  const txns: LedgerTransaction[] = [
    {
      id: newId("ledgerTransaction"),
      kind: "RECHARGE",
      reference: "bench",
      postings: [krw(accounts.corporateCash, "D", total), krw(accounts.memberMoney(buyer), "C", total)],
    },
    ...amounts.map((a) => ({
      id: newId("ledgerTransaction"),
      kind: "PAYMENT" as const,
      reference: "bench",
      postings: [
        krw(accounts.memberMoney(buyer), "D", a.total),
        krw(accounts.franchisePayable(a.franchise_id), "C", a.total),
      ],
    })),
  ];
  await db.tx(async (tx) => {
    await tx.query(
      `INSERT INTO money.accounts (id, kind, currency, owner_id, normal_side)
       SELECT 'franchise_payable:' || f, 'franchise_payable', 'KRW', f, 'C' FROM unnest($1::text[]) AS f ON CONFLICT DO NOTHING`,
      [amounts.map((a) => a.franchise_id)],
    );
    for (let i = 0; i < txns.length; i += 500) unwrap(await postBatch(tx, txns.slice(i, i + 500)));
  });
}

import { fail, ok, type Result } from "../../kernel/errors.js";
import { isUniqueViolation } from "../../platform/db/db.js";
import type { AutoRecharge, EnsureBalance } from "./api.js";
import type { MoneyDeps } from "./deps.js";
import { autoRechargeAmount } from "./domain.js";
import { accounts } from "./ledger.js";
import { startRecharge } from "./recharge.js";

/**
 * The auto-recharge (자동 충전) a payment or remittance asks for before it spends: at most one recharge
 * per cause, driven as far as it goes now. While none was started, the balance decides afresh.
 */
export async function ensureBalance(deps: MoneyDeps, cmd: EnsureBalance): Promise<Result<AutoRecharge>> {
  // One statement for the common case: no recharge for this cause yet, and the wallet as it is now.
  const [found] = await deps.db.query<{
    recharge_id: string | null;
    balance: number | null;
    reserved_in: number | null;
    status: string | null;
  }>(
    `SELECT (SELECT id FROM money.recharges WHERE cause = $2) AS recharge_id, a.balance, a.reserved_in, a.status
     FROM (SELECT 1) AS one LEFT JOIN money.accounts AS a ON a.id = $1`,
    [accounts.memberMoney(cmd.membershipId), cmd.cause],
  );
  if (found?.recharge_id) return ok(await driven(deps, found.recharge_id));
  if (found?.status == null) return fail("NOT_FOUND", "the member has no wallet");
  if (found.status !== "OPEN") return fail("CONFLICT", "the wallet is closed");
  const amount = autoRechargeAmount(found.balance!, cmd.amount, deps.config.balanceCap, found.reserved_in!);
  if (!amount.ok) return amount;
  if (amount.value === 0) return ok({ status: "NOT_NEEDED", rechargeId: null, amount: 0, reason: null });
  let started: Result<string>;
  try {
    started = await startRecharge(deps, {
      membershipId: cmd.membershipId,
      amount: amount.value,
      auto: true,
      cause: cmd.cause,
      idempotency: null,
      correlationId: cmd.correlationId,
    });
  } catch (error) {
    // A twin call for the same cause started it first: answer that one.
    if (!isUniqueViolation(error)) throw error;
    const twin = await rechargeFor(deps, cmd.cause);
    if (!twin) throw error;
    return ok(await driven(deps, twin));
  }
  if (!started.ok) return started;
  return ok(await driven(deps, started.value));
}

interface RechargeRow {
  [column: string]: unknown;
  id: string;
  amount: number;
  status: "PENDING" | "SUCCEEDED" | "FAILED";
  failure_reason: string | null;
}

async function rechargeFor(deps: MoneyDeps, cause: string): Promise<string | undefined> {
  const [row] = await deps.db.query<{ id: string }>("SELECT id FROM money.recharges WHERE cause = $1", [
    cause,
  ]);
  return row?.id;
}

/** Drives the recharge's saga as far as it goes now, then answers its status. */
async function driven(deps: MoneyDeps, rechargeId: string): Promise<AutoRecharge> {
  try {
    await deps.engine.run(rechargeId);
    deps.kickRelay();
  } catch (error) {
    // Durable: the worker finishes it, and the caller hears PENDING now.
    deps.logger.warn({ err: error, sagaId: rechargeId }, "auto-recharge did not finish now");
  }
  const [row] = await deps.db.query<RechargeRow>(
    "SELECT id, amount, status, failure_reason FROM money.recharges WHERE id = $1",
    [rechargeId],
  );
  if (!row) throw new Error(`no recharge ${rechargeId}`);
  return { status: row.status, rechargeId: row.id, amount: row.amount, reason: row.failure_reason };
}

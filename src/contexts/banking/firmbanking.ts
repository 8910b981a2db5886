import { fail, ok, type Result } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import { won } from "../../kernel/won.js";
import { recordEvents } from "../../platform/outbox.js";
import type { FirmbankingCompleted, FirmbankingOutcome, TransferCommand } from "./api.js";
import { bankingEvents, firmbankingNotSent } from "./api.js";
import { isNoAnswer, type TransferAnswer } from "./bank-port.js";
import type { BankingDeps } from "./deps.js";
import { contractBankOf, defaultFeePerTransfer, isTerminal, nextCheckDelayMs } from "./domain.js";
import {
  completeRow,
  type Firmbanking,
  findByRequestId,
  insertRequested,
  insertVoided,
  markUnknown,
  scheduleCheck,
} from "./firmbanking-store.js";
import { bankingSchema, findContract } from "./store.js";

/**
 * Firmbanking: store the request, then ask the bank once; a missing answer is UNKNOWN, never FAILED,
 * and only the resolver asks the bank about it again.
 */

// The bank's own rule for request ids (they sit in GET /transfers/{requestId}).
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

export function toOutcome(f: Firmbanking): FirmbankingOutcome {
  return {
    firmbankingId: f.id,
    requestId: f.requestId,
    status: isTerminal(f.status) ? f.status : "UNKNOWN",
    ...(f.reason ? { reason: f.reason } : {}),
    fee: f.fee,
  };
}

function sameTransfer(f: Firmbanking, c: TransferCommand): boolean {
  const same = (a: typeof f.from, b: typeof c.from) =>
    a.bankCode === b.bankCode && a.accountNumber === b.accountNumber;
  return same(f.from, c.from) && same(f.to, c.to) && f.amount === c.amount && f.purpose === c.purpose;
}

/** A new request, with the fee of the carrying bank's contract as it stands now. */
async function newRequest(deps: BankingDeps, c: TransferCommand): Promise<Firmbanking> {
  const bankCode = contractBankOf(c.purpose, c.from, c.to);
  const contract = await findContract(deps.db, bankCode);
  return {
    id: newId("firmbanking"),
    requestId: c.requestId,
    purpose: c.purpose,
    membershipId: c.membershipId,
    from: { bankCode: c.from.bankCode, accountNumber: c.from.accountNumber },
    to: { bankCode: c.to.bankCode, accountNumber: c.to.accountNumber },
    amount: c.amount,
    fee: contract?.feePerTransfer ?? defaultFeePerTransfer,
    bankCode,
    status: "REQUESTED",
    reason: null,
    reference: c.reference,
    correlationId: c.correlationId,
    createdAt: deps.clock.now(),
    completedAt: null,
    checks: 0,
  };
}

function checkCommand(c: TransferCommand): void {
  if (!requestIdPattern.test(c.requestId))
    throw new Error(`requestId "${c.requestId}" is not a valid request id`);
  if (won(c.amount) === 0) throw new Error("a transfer of 0 won");
}

export async function transfer(deps: BankingDeps, c: TransferCommand): Promise<Result<FirmbankingOutcome>> {
  checkCommand(c);
  const stored = await findByRequestId(deps.db, c.requestId);
  if (stored) return ok(repeat(stored, c));
  if (!deps.bank.available()) {
    return fail("BANK_UNAVAILABLE", "the bank cannot be reached now; nothing was sent");
  }
  const request = await newRequest(deps, c);
  // Committed before the bank is called: whatever happens next, the resolver can finish it.
  const staleAt = new Date(request.createdAt.getTime() + deps.staleRequestMs);
  if (!(await insertRequested(deps.db, request, staleAt))) {
    const raced = await findByRequestId(deps.db, c.requestId);
    if (!raced) throw new Error(`firmbanking ${c.requestId} vanished after a duplicate insert`);
    return ok(repeat(raced, c));
  }
  return ok(await ask(deps, request, () => deps.bank.transfer(order(request))));
}

/**
 * A request seen before: its stored outcome. An open one is the resolver's to find out (one poller
 * of the bank); its FirmbankingCompleted event tells the caller when it is known.
 */
function repeat(stored: Firmbanking, c: TransferCommand): FirmbankingOutcome {
  if (!sameTransfer(stored, c))
    throw new Error(`requestId ${c.requestId} was already used for a different transfer`);
  return toOutcome(stored);
}

/**
 * Before a caller gives up on a request it may have sent: stores it as FAILED NOT_SENT if banking
 * never stored it (a transfer() still on its way then finds that and never calls the bank), and
 * otherwise answers what is stored. The insert is the one atomic point, so exactly one of the two wins.
 */
export async function voidUnsent(deps: BankingDeps, c: TransferCommand): Promise<FirmbankingOutcome> {
  checkCommand(c);
  const request = await newRequest(deps, c);
  const voided = await deps.db.tx(async (tx) => {
    const row = await insertVoided(tx, request, firmbankingNotSent, deps.clock.now());
    if (row) {
      const event = { type: bankingEvents.FirmbankingCompleted, data: completedEvent(row, "FAILED") };
      await recordEvents(tx, bankingSchema, [event], { correlationId: row.correlationId });
    }
    return row;
  });
  if (!voided) return repeat(await reread(deps, request), c);
  deps.logger.info({ requestId: c.requestId }, "firmbanking voided before it was sent: FAILED NOT_SENT");
  deps.kickRelay();
  return toOutcome(voided);
}

/** Staff want a fresh look at an open request (its checks ran out): the resolver checks it now. */
export function recheck(deps: BankingDeps, requestId: string): Promise<boolean> {
  return scheduleCheck(deps.db, requestId, deps.clock.now());
}

const order = (f: Firmbanking) => ({ requestId: f.requestId, from: f.from, to: f.to, amount: f.amount });

/**
 * Finds out what became of an open request: the bank's record of it, or, when the bank never got
 * it, the answer to sending it again with the same requestId (the bank de-duplicates on it).
 */
export function settle(deps: BankingDeps, f: Firmbanking): Promise<FirmbankingOutcome> {
  return ask(deps, f, async () => (await deps.bank.getTransfer(f.requestId)) ?? deps.bank.transfer(order(f)));
}

async function ask(deps: BankingDeps, f: Firmbanking, call: () => Promise<TransferAnswer>) {
  let answer: TransferAnswer;
  try {
    answer = await call();
  } catch (error) {
    if (!isNoAnswer(error)) throw error;
    deps.logger.warn(
      { requestId: f.requestId, err: error },
      "the bank's answer did not come: firmbanking UNKNOWN",
    );
    return leaveUnknown(deps, f);
  }
  return complete(deps, f, answer);
}

async function leaveUnknown(deps: BankingDeps, f: Firmbanking): Promise<FirmbankingOutcome> {
  const delay = nextCheckDelayMs(f.checks, deps.resolverBaseMs, deps.random(), deps.resolverMaxMs);
  const row = await markUnknown(deps.db, f.id, new Date(deps.clock.now().getTime() + delay));
  if (row && row.checks >= deps.resolverMaxChecks) {
    deps.logger.error(
      { requestId: f.requestId, reference: f.reference, checks: row.checks },
      "firmbanking still UNKNOWN after its checks: the resolver stops asking until staff retry its saga",
    );
  }
  return toOutcome(row ?? (await reread(deps, f)));
}

/** Records the bank's answer and its event in one transaction; the first answer recorded wins. */
async function complete(
  deps: BankingDeps,
  f: Firmbanking,
  answer: TransferAnswer,
): Promise<FirmbankingOutcome> {
  const done = await deps.db.tx(async (tx) => {
    const row = await completeRow(tx, f.id, answer, deps.clock.now());
    if (row) {
      const event = { type: bankingEvents.FirmbankingCompleted, data: completedEvent(row, answer.status) };
      await recordEvents(tx, bankingSchema, [event], { correlationId: row.correlationId });
    }
    return row;
  });
  if (!done) return toOutcome(await reread(deps, f));
  deps.kickRelay();
  return toOutcome(done);
}

function completedEvent(f: Firmbanking, status: FirmbankingCompleted["status"]): FirmbankingCompleted {
  return {
    firmbankingId: f.id,
    requestId: f.requestId,
    purpose: f.purpose,
    reference: f.reference,
    membershipId: f.membershipId,
    status,
    amount: f.amount,
    fee: f.fee,
    bankCode: f.bankCode,
  };
}

async function reread(deps: BankingDeps, f: Firmbanking): Promise<Firmbanking> {
  const row = await findByRequestId(deps.db, f.requestId);
  if (!row) throw new Error(`firmbanking ${f.requestId} vanished`);
  return row;
}

export async function outcome(deps: BankingDeps, requestId: string): Promise<FirmbankingOutcome | undefined> {
  const row = await findByRequestId(deps.db, requestId);
  return row && toOutcome(row);
}

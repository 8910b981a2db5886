import { setTimeout as sleep } from "node:timers/promises";
import { newId } from "../../kernel/ids.js";
import type { Queryable } from "../../platform/db/db.js";
import { completeKey, type IdempotencyKey } from "../../platform/idempotency.js";
import type { SagaContext, SagaDefinition } from "../../platform/saga/engine.js";
import type { AccountRef } from "../banking/api.js";
import type { ClaimedFranchise } from "../payment/api.js";
import { type SettlementDeps, type SettlementSagaDeps, settlementSchema } from "./deps.js";
import { runTotals, settlementFigures } from "./domain.js";
import { payoutData, payoutSagaType } from "./pay-franchise.js";
import { runView } from "./schemas.js";
import { findRun, insertRun, type PlannedSettlement, recordSettlements } from "./store.js";

/** A settlement run: claim every NORMAL payment before the cutoff, then one settlement and payout per franchise. */

export const runSagaType = "settlement-run";

export interface RunData {
  readonly runId: string;
  /** ISO time: the run settles payments made before it. */
  readonly cutoff: string;
  /** The staff request waiting on the run's answer; null for a scheduled run. */
  readonly idempotency: IdempotencyKey | null;
  /** Set by the claim step: the corporate account and the settlements (ids chosen there, reused on a re-run). */
  readonly from?: AccountRef;
  readonly settlements?: readonly PlannedSettlement[];
}

export function runSaga(deps: SettlementSagaDeps): SagaDefinition<RunData> {
  return {
    type: runSagaType,
    steps: [
      {
        // Idempotent on runId: a re-run after a crash gets the same franchises back, nothing more.
        name: "claim",
        action: async (data) => {
          const claimed = await deps.payment.claimForSettlement({ runId: data.runId, cutoff: data.cutoff });
          const from = await deps.banking.corporateAccount();
          return { kind: "next", data: { ...data, from, settlements: await plan(deps, claimed) } };
        },
      },
      {
        // The settlements and their payout sagas commit with this step, so none is lost or made twice.
        name: "record",
        action: async () => ({ kind: "next", effect: (tx, data, ctx) => record(deps, tx, data, ctx) }),
      },
    ],
    async onCompleted(tx, data) {
      if (!data.idempotency) return;
      const run = await findRun(tx, data.runId);
      if (run) await completeKey(tx, settlementSchema, data.idempotency, 201, runView(run));
    },
  };
}

/** How many franchises are read from membership at once. */
const readConcurrency = 16;

/** Each claimed franchise's figures, owner and settlement account, under a new settlement id. */
async function plan(deps: SettlementSagaDeps, claimed: readonly ClaimedFranchise[]) {
  const planned: PlannedSettlement[] = [];
  for (let i = 0; i < claimed.length; i += readConcurrency) {
    const chunk = claimed.slice(i, i + readConcurrency);
    planned.push(...(await Promise.all(chunk.map((c) => planOne(deps, c)))));
  }
  return planned;
}

async function planOne(deps: SettlementSagaDeps, claim: ClaimedFranchise): Promise<PlannedSettlement> {
  const figures = settlementFigures(claim.byRate);
  // The groups must add up to what was claimed; anything else is a bug, not something to pay.
  if (figures.gross !== claim.gross || figures.paymentCount !== claim.paymentCount)
    throw new Error(`claim of franchise ${claim.franchiseId}: its rate groups do not add up`);
  const franchise = await deps.membership.getFranchise(claim.franchiseId);
  if (!franchise) throw new Error(`claimed payments of an unknown franchise ${claim.franchiseId}`);
  const { bankCode, accountNumber } = franchise.settlementAccount;
  return {
    ...figures,
    settlementId: newId("settlement"),
    franchiseId: claim.franchiseId,
    ownerId: franchise.ownerId,
    account: { bankCode, accountNumber },
  };
}

async function record(deps: SettlementSagaDeps, tx: Queryable, data: RunData, ctx: SagaContext) {
  const settlements = data.settlements ?? [];
  await recordSettlements(tx, data.runId, settlements, runTotals(settlements));
  if (settlements.length > 0 && !data.from) throw new Error(`run ${data.runId} has no corporate account`);
  for (const s of settlements) {
    const saga = { id: s.settlementId, type: payoutSagaType, correlationId: ctx.correlationId };
    await deps.startSaga(tx, { ...saga, data: payoutData(data.runId, data.from!, s) });
  }
}

export interface RunCommand {
  readonly cutoff: Date;
  /** The staff member who asked, with the request's key; both null for a scheduled run. */
  readonly requestedBy: string | null;
  readonly idempotency: IdempotencyKey | null;
  /** The schedule's slot; null for a run staff asked for. */
  readonly scheduledFor: Date | null;
  readonly correlationId?: string;
}

/**
 * Records the run and its saga in one transaction, reserved for the caller to drive (run(id)); the
 * worker takes it over if the caller dies. Undefined when the schedule's slot already has its run.
 */
export async function startRun(deps: SettlementDeps, cmd: RunCommand): Promise<string | undefined> {
  const runId = newId("settlementRun");
  const data: RunData = { runId, cutoff: cmd.cutoff.toISOString(), idempotency: cmd.idempotency };
  const started = await deps.db.tx(async (tx) => {
    const run = { id: runId, cutoff: cmd.cutoff, scheduledFor: cmd.scheduledFor };
    const who = { requestedBy: cmd.requestedBy, idempotencyKey: cmd.idempotency?.key ?? null };
    if (!(await insertRun(tx, { ...run, ...who }))) return false;
    const saga = { id: runId, type: runSagaType, data, correlationId: cmd.correlationId ?? runId };
    await deps.engine.start(tx, saga, { reserve: true });
    return true;
  });
  return started ? runId : undefined;
}

export type SettlementRunView = ReturnType<typeof runView>;

/** A run outside the schedule, driven until every payout saga is PAID or FAILED (the worker drives those). */
export async function settleToEnd(
  deps: SettlementDeps,
  o: { cutoff?: Date; pollMs?: number } = {},
): Promise<SettlementRunView> {
  const cutoff = o.cutoff ?? deps.clock.now();
  const runId = await startRun(deps, { cutoff, requestedBy: null, idempotency: null, scheduledFor: null });
  if (!runId) throw new Error("a run outside the schedule cannot lose its slot");
  await deps.engine.run(runId);
  deps.kickRelay();
  for (;;) {
    const run = await findRun(deps.db, runId);
    const view = run && runView(run);
    if (view?.status === "COMPLETED") return view;
    await sleep(o.pollMs ?? 50);
  }
}

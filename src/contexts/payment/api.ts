import { type Static, Type } from "@sinclair/typebox";
import { defineContract, type Implementation, nothing, shaped } from "../../platform/contract.js";
import type { ClaimGroup } from "./domain.js";

/** What other contexts may use of payment: settlement's calls and the events payment publishes. */

const id = Type.String();
const won = Type.Integer({ minimum: 0 });

/** A franchise's payments one settlement run claimed, summed per stamped commission rate. */
const claimedFranchise = shaped<ClaimGroup>(
  Type.Object({
    franchiseId: id,
    paymentCount: Type.Integer({ minimum: 0 }),
    /** Sum of the claimed payments' amounts. */
    gross: won,
    /** The same payments grouped by the commission rate stamped on each when it was made. */
    byRate: Type.Array(
      Type.Object({
        commissionBps: Type.Integer({ minimum: 0 }),
        gross: won,
        count: Type.Integer({ minimum: 0 }),
      }),
    ),
  }),
);
export type ClaimedFranchise = ClaimGroup;

export const paymentEvents = {
  PaymentMade: "PaymentMade",
  PaymentCancelled: "PaymentCancelled",
  PaymentsSettled: "PaymentsSettled",
} as const;

/** A payment was made (status NORMAL). */
const paymentMade = Type.Object({
  paymentId: id,
  membershipId: id,
  franchiseId: id,
  amount: won,
  paidWithMoney: won,
  paidWithPoints: won,
  pointsEarned: won,
  commissionBps: Type.Integer({ minimum: 0 }),
});
export type PaymentMade = Static<typeof paymentMade>;

/** A payment was cancelled, with what went back to the member. */
const paymentCancelled = Type.Object({
  paymentId: id,
  membershipId: id,
  franchiseId: id,
  amount: won,
  refund: Type.Object({ money: won, points: won, pointsTakenBack: won, takenFromMoney: won }),
});
export type PaymentCancelled = Static<typeof paymentCancelled>;

/** A settlement paid the franchise for these payments (now SETTLED). */
const paymentsSettled = Type.Object({
  runId: id,
  settlementId: id,
  franchiseId: id,
  paymentCount: Type.Integer({ minimum: 0 }),
});
export type PaymentsSettled = Static<typeof paymentsSettled>;

const runFranchise = { runId: id, franchiseId: id };

/** What other contexts may use of payment: settlement's calls and the events payment publishes. */
export const paymentContract = defineContract({
  context: "payment",
  operations: {
    /**
     * Claims for the run every NORMAL payment made before `cutoff` that no settlement claims, in one
     * statement, and answers them grouped by franchise. Idempotent on runId: a second call claims
     * nothing more and answers the first call's groups. A claimed payment can no longer be cancelled.
     */
    claimForSettlement: {
      args: [Type.Object({ runId: id, cutoff: Type.String({ format: "date-time" }) })],
      returns: Type.Array(claimedFranchise),
      errors: [],
      retry: true,
    },
    /**
     * The franchise was paid: its payments claimed by the run become SETTLED. Idempotent. Calls that
     * arrive together are marked in one statement.
     */
    markSettled: {
      args: [Type.Object({ ...runFranchise, settlementId: id })],
      returns: nothing,
      errors: [],
      retry: true,
    },
    /** The payout failed for good: the franchise's payments claimed by the run are NORMAL and free again. */
    releaseClaim: { args: [Type.Object(runFranchise)], returns: nothing, errors: [], retry: true },
    /** The ids of the franchise's payments claimed by the run (its settlement's once SETTLED), oldest first. */
    claimedPaymentIds: {
      args: [Type.Object({ ...runFranchise, settlementId: id })],
      returns: Type.Array(id),
      errors: [],
      retry: true,
    },
  },
  events: {
    [paymentEvents.PaymentMade]: paymentMade,
    [paymentEvents.PaymentCancelled]: paymentCancelled,
    [paymentEvents.PaymentsSettled]: paymentsSettled,
  },
});

/** The calls settlement makes; in the distributed deployment the HTTP client implements it. */
export type PaymentApi = Implementation<typeof paymentContract>;

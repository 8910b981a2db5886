import { type MemberRegistered, type MemberWithdrawn, membershipEventTypes } from "../membership/api.js";
import {
  type MoneyBalanceChanged,
  moneyEvents,
  type PointsBalanceChanged,
  type RechargeCompleted,
  type WithdrawalCompleted,
} from "../money/api.js";
import { type PaymentCancelled, type PaymentMade, paymentEvents } from "../payment/api.js";
import { type RemittanceCompleted, remittanceEvents } from "../remittance/api.js";

/**
 * What each event adds to members' activity, one small pure function per event type: a context
 * that publishes a new kind of activity adds one line to `mappers`. An event may concern two members
 * (a remittance between members), so a mapper answers a list.
 */

export const activityKinds = [
  "MONEY",
  "POINTS",
  "RECHARGE_COMPLETED",
  "WITHDRAWAL_COMPLETED",
  "PAYMENT",
  "PAYMENT_CANCELLED",
  "REMITTANCE",
  "MEMBER_REGISTERED",
  "MEMBER_WITHDRAWN",
] as const;
export type ActivityKind = (typeof activityKinds)[number];

/** PAYMENT: how the payment was paid and where. */
export interface PaymentDetails {
  readonly franchiseId: string;
  readonly paidWithMoney: number;
  readonly paidWithPoints: number;
  readonly pointsEarned: number;
  readonly commissionBps: number;
}

/** PAYMENT_CANCELLED: what went back to the member (API.md's `refund`). */
export interface CancelDetails {
  readonly franchiseId: string;
  readonly refund: PaymentCancelled["refund"];
}

/** REMITTANCE: which side the member is on and who is on the other. */
export interface RemittanceDetails {
  readonly direction: "SENT" | "RECEIVED";
  readonly remittanceType: RemittanceCompleted["type"];
  /** Taken from the sender's money on top of the amount; the receiver's item has none. */
  readonly fee?: number;
  readonly toMembershipId?: string | null;
  readonly toAccount?: RemittanceCompleted["toAccount"];
  readonly fromMembershipId?: string;
  readonly reason?: string | null;
}

export type ActivityDetails = PaymentDetails | CancelDetails | RemittanceDetails;

export interface ActivityItem {
  readonly membershipId: string;
  /** The item's stable business id (a ledger entry, a recharge, …): one row however often it arrives. */
  readonly itemId: string;
  readonly kind: ActivityKind;
  /** For MONEY and POINTS: why the balance changed (RECHARGE, PAYMENT, POINTS_EARN, …). */
  readonly ledgerKind: string | null;
  /** Signed: + to the member, − from it; won, or points for POINTS. */
  readonly amount: number | null;
  /** MONEY: the won after the change; POINTS: the points after it. */
  readonly balanceAfter: number | null;
  /** The business id the item belongs to (rch_…, pay_…, rem_…). */
  readonly reference: string | null;
  readonly status: string | null;
  /** Kind-specific figures (payments, cancels, remittances), else null. */
  readonly details: ActivityDetails | null;
  /** ISO-8601. */
  readonly occurredAt: string;
}

/** The parts of an event a mapper reads; `occurredAt` is the envelope's, for payloads without a time. */
export interface ActivityEvent {
  readonly type: string;
  readonly occurredAt: string;
  readonly data: unknown;
}

type Mapper = (data: never, occurredAt: string) => ActivityItem[];

/** A membership has one item of each; the member id with a suffix keeps the two apart. */
export const registeredItemId = (membershipId: string) => `${membershipId}:registered`;

const blank = {
  ledgerKind: null,
  amount: null,
  balanceAfter: null,
  reference: null,
  status: null,
  details: null,
};

/** Both balances' changes come from ledger entries: one item per entry. */
const ledgerItem = (
  kind: "MONEY" | "POINTS",
  d: MoneyBalanceChanged | PointsBalanceChanged,
  after: number,
  at: string,
): ActivityItem => ({
  ...blank,
  membershipId: d.membershipId,
  itemId: d.entryId,
  kind,
  ledgerKind: d.kind,
  amount: d.change,
  balanceAfter: after,
  reference: d.reference,
  occurredAt: at,
});

const paymentMade = (d: PaymentMade, at: string): ActivityItem => ({
  ...blank,
  membershipId: d.membershipId,
  itemId: d.paymentId,
  kind: "PAYMENT",
  amount: -d.amount,
  reference: d.paymentId,
  status: "NORMAL",
  details: {
    franchiseId: d.franchiseId,
    paidWithMoney: d.paidWithMoney,
    paidWithPoints: d.paidWithPoints,
    pointsEarned: d.pointsEarned,
    commissionBps: d.commissionBps,
  },
  occurredAt: at,
});

const paymentCancelled = (d: PaymentCancelled, at: string): ActivityItem => ({
  ...blank,
  membershipId: d.membershipId,
  itemId: `${d.paymentId}:cancelled`,
  kind: "PAYMENT_CANCELLED",
  amount: d.amount,
  reference: d.paymentId,
  status: "CANCELLED",
  details: { franchiseId: d.franchiseId, refund: d.refund },
  occurredAt: at,
});

/** The sender's item always; the receiving member's too once the money has arrived. */
function remittanceCompleted(d: RemittanceCompleted, at: string): ActivityItem[] {
  const common = { ...blank, kind: "REMITTANCE", reference: d.remittanceId, status: d.status } as const;
  const sent: ActivityItem = {
    ...common,
    membershipId: d.membershipId,
    itemId: `${d.remittanceId}:sent`,
    amount: -d.amount,
    details: {
      direction: "SENT",
      remittanceType: d.type,
      fee: d.fee,
      toMembershipId: d.toMembershipId,
      toAccount: d.toAccount,
      reason: d.reason,
    },
    occurredAt: at,
  };
  if (d.status !== "SUCCEEDED" || d.type !== "MEMBER" || d.toMembershipId === null) return [sent];
  const received: ActivityItem = {
    ...common,
    membershipId: d.toMembershipId,
    itemId: `${d.remittanceId}:received`,
    amount: d.amount,
    details: { direction: "RECEIVED", remittanceType: d.type, fromMembershipId: d.membershipId },
    occurredAt: at,
  };
  return [sent, received];
}

const mappers: Record<string, Mapper> = {
  [moneyEvents.MoneyBalanceChanged]: (d: MoneyBalanceChanged, at) => [ledgerItem("MONEY", d, d.balance, at)],
  [moneyEvents.PointsBalanceChanged]: (d: PointsBalanceChanged, at) => [
    ledgerItem("POINTS", d, d.points, at),
  ],
  [moneyEvents.RechargeCompleted]: (d: RechargeCompleted, at) => [
    {
      ...blank,
      membershipId: d.membershipId,
      itemId: d.rechargeId,
      kind: "RECHARGE_COMPLETED",
      amount: d.amount,
      status: d.status,
      occurredAt: at,
    },
  ],
  [moneyEvents.WithdrawalCompleted]: (d: WithdrawalCompleted, at) => [
    {
      ...blank,
      membershipId: d.membershipId,
      itemId: d.withdrawalId,
      kind: "WITHDRAWAL_COMPLETED",
      amount: -d.amount,
      status: d.status,
      occurredAt: at,
    },
  ],
  [paymentEvents.PaymentMade]: (d: PaymentMade, at) => [paymentMade(d, at)],
  [paymentEvents.PaymentCancelled]: (d: PaymentCancelled, at) => [paymentCancelled(d, at)],
  [remittanceEvents.RemittanceCompleted]: remittanceCompleted,
  [membershipEventTypes.registered]: (d: MemberRegistered) => [
    {
      ...blank,
      membershipId: d.membershipId,
      itemId: registeredItemId(d.membershipId),
      kind: "MEMBER_REGISTERED",
      status: "ACTIVE",
      occurredAt: d.registeredAt,
    },
  ],
  [membershipEventTypes.withdrawn]: (d: MemberWithdrawn) => [
    {
      ...blank,
      membershipId: d.membershipId,
      itemId: `${d.membershipId}:withdrawn`,
      kind: "MEMBER_WITHDRAWN",
      status: "WITHDRAWN",
      occurredAt: d.withdrawnAt,
    },
  ],
};

/** The event types the activity read model subscribes to. */
export const activityEventTypes: readonly string[] = Object.keys(mappers);

/** The items an event adds (none for an event that is not activity). */
export function activityOf(event: ActivityEvent): ActivityItem[] {
  const map = mappers[event.type] as ((data: unknown, at: string) => ActivityItem[]) | undefined;
  return map?.(event.data, event.occurredAt) ?? [];
}

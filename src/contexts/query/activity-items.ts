import { type MemberRegistered, type MemberWithdrawn, membershipEventTypes } from "../membership/api.js";
import {
  type MoneyBalanceChanged,
  moneyEvents,
  type RechargeCompleted,
  type WithdrawalCompleted,
} from "../money/api.js";

/**
 * What each event adds to a member's activity, one small pure function per event type: a context
 * that publishes a new kind of activity (payments, points, remittances) adds one line to `mappers`.
 */

export const activityKinds = [
  "MONEY",
  "RECHARGE_COMPLETED",
  "WITHDRAWAL_COMPLETED",
  "MEMBER_REGISTERED",
  "MEMBER_WITHDRAWN",
] as const;
export type ActivityKind = (typeof activityKinds)[number];

export interface ActivityItem {
  readonly membershipId: string;
  /** The item's stable business id (a ledger entry, a recharge, …): one row however often it arrives. */
  readonly itemId: string;
  readonly kind: ActivityKind;
  /** For MONEY: why the balance changed (RECHARGE, WITHDRAW, WITHDRAW_REFUND, …). */
  readonly ledgerKind: string | null;
  /** Signed won: + into the member's money, − out of it. */
  readonly amount: number | null;
  readonly balanceAfter: number | null;
  readonly reference: string | null;
  readonly status: string | null;
  /** ISO-8601. */
  readonly occurredAt: string;
}

/** The parts of an event a mapper reads; `occurredAt` is the envelope's, for payloads without a time. */
export interface ActivityEvent {
  readonly type: string;
  readonly occurredAt: string;
  readonly data: unknown;
}

type Mapper = (data: never, occurredAt: string) => ActivityItem;

/** A membership has one item of each; the member id with a suffix keeps the two apart. */
export const registeredItemId = (membershipId: string) => `${membershipId}:registered`;

const blank = { ledgerKind: null, amount: null, balanceAfter: null, reference: null, status: null };

const mappers: Record<string, Mapper> = {
  [moneyEvents.MoneyBalanceChanged]: (d: MoneyBalanceChanged, at) => ({
    membershipId: d.membershipId,
    itemId: d.entryId,
    kind: "MONEY",
    ledgerKind: d.kind,
    amount: d.change,
    balanceAfter: d.balance,
    reference: d.reference,
    status: null,
    occurredAt: at,
  }),
  [moneyEvents.RechargeCompleted]: (d: RechargeCompleted, at) => ({
    ...blank,
    membershipId: d.membershipId,
    itemId: d.rechargeId,
    kind: "RECHARGE_COMPLETED",
    amount: d.amount,
    status: d.status,
    occurredAt: at,
  }),
  [moneyEvents.WithdrawalCompleted]: (d: WithdrawalCompleted, at) => ({
    ...blank,
    membershipId: d.membershipId,
    itemId: d.withdrawalId,
    kind: "WITHDRAWAL_COMPLETED",
    amount: -d.amount,
    status: d.status,
    occurredAt: at,
  }),
  [membershipEventTypes.registered]: (d: MemberRegistered) => ({
    ...blank,
    membershipId: d.membershipId,
    itemId: registeredItemId(d.membershipId),
    kind: "MEMBER_REGISTERED",
    status: "ACTIVE",
    occurredAt: d.registeredAt,
  }),
  [membershipEventTypes.withdrawn]: (d: MemberWithdrawn) => ({
    ...blank,
    membershipId: d.membershipId,
    itemId: `${d.membershipId}:withdrawn`,
    kind: "MEMBER_WITHDRAWN",
    status: "WITHDRAWN",
    occurredAt: d.withdrawnAt,
  }),
};

/** The event types the activity read model subscribes to. */
export const activityEventTypes: readonly string[] = Object.keys(mappers);

/** The item an event adds, or undefined for an event that is not activity. */
export function activityOf(event: ActivityEvent): ActivityItem | undefined {
  const map = mappers[event.type] as ((data: unknown, at: string) => ActivityItem) | undefined;
  return map?.(event.data, event.occurredAt);
}

/** A page's cursor: the last item's time (epoch ms) and id, so that the next page starts right after. */
export const activityCursorPattern = "^[0-9]{1,15}~[A-Za-z0-9_:]{1,100}$";

export function activityCursor(item: Pick<ActivityItem, "occurredAt" | "itemId">): string {
  return `${Date.parse(item.occurredAt)}~${item.itemId}`;
}

export function parseActivityCursor(cursor: string): { occurredAt: string; itemId: string } | undefined {
  if (!new RegExp(activityCursorPattern).test(cursor)) return undefined;
  const at = cursor.indexOf("~");
  return {
    occurredAt: new Date(Number(cursor.slice(0, at))).toISOString(),
    itemId: cursor.slice(at + 1),
  };
}

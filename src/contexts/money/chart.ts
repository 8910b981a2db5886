/**
 * The chart of accounts, as code. Each currency balances on its own: won (KRW) and points (PNT).
 * Points are a PNT liability to the member, issued against `points_issued`; when a point pays a
 * franchise, mypay funds that won from `points_expense` (KRW).
 */
export type Currency = "KRW" | "PNT";
/** D: debit, C: credit. */
export type Side = "D" | "C";

interface KindSpec {
  /** The side that increases the account: D for assets and expenses, C for liabilities and revenue. */
  readonly normalSide: Side;
  readonly currency: Currency;
  /** One account per member or franchise (`<kind>:<owner id>`), else a single system account. */
  readonly perOwner: boolean;
}

export const accountKinds = {
  /** mypay's corporate bank account: every won of member money is backed here. */
  corporate_cash: { normalSide: "D", currency: "KRW", perOwner: false },
  /** Won that left a member's money and is on its way out by firmbanking (withdraw, payout). */
  money_in_transit: { normalSide: "C", currency: "KRW", perOwner: false },
  member_money: { normalSide: "C", currency: "KRW", perOwner: true },
  member_points: { normalSide: "C", currency: "PNT", perOwner: true },
  /** The counterpart of every point outstanding (contra account in PNT). */
  points_issued: { normalSide: "D", currency: "PNT", perOwner: false },
  /** Points that lapsed when their member left mypay (the expiry account; PNT). */
  points_expired: { normalSide: "C", currency: "PNT", perOwner: false },
  /** What mypay owes a franchise for its unsettled payments. */
  franchise_payable: { normalSide: "C", currency: "KRW", perOwner: true },
  fee_revenue: { normalSide: "C", currency: "KRW", perOwner: false },
  commission_revenue: { normalSide: "C", currency: "KRW", perOwner: false },
  firmbanking_fee_expense: { normalSide: "D", currency: "KRW", perOwner: false },
  bank_fees_payable: { normalSide: "C", currency: "KRW", perOwner: false },
  /** The won mypay pays franchises for points spent. */
  points_expense: { normalSide: "D", currency: "KRW", perOwner: false },
} as const satisfies Record<string, KindSpec>;

export type AccountKind = keyof typeof accountKinds;

export const perOwnerKinds = (Object.keys(accountKinds) as AccountKind[]).filter(
  (k) => accountKinds[k].perOwner,
);
export const systemAccountKinds = (Object.keys(accountKinds) as AccountKind[]).filter(
  (k) => !accountKinds[k].perOwner,
);

/** Account ids: a system account's id is its kind; a per-owner account's is `<kind>:<owner id>`. */
export const accounts = {
  corporateCash: "corporate_cash",
  moneyInTransit: "money_in_transit",
  pointsIssued: "points_issued",
  pointsExpired: "points_expired",
  feeRevenue: "fee_revenue",
  commissionRevenue: "commission_revenue",
  firmbankingFeeExpense: "firmbanking_fee_expense",
  bankFeesPayable: "bank_fees_payable",
  pointsExpense: "points_expense",
  memberMoney: (membershipId: string) => `member_money:${membershipId}`,
  memberPoints: (membershipId: string) => `member_points:${membershipId}`,
  franchisePayable: (franchiseId: string) => `franchise_payable:${franchiseId}`,
} as const;

/**
 * mypay's own accounts are each spread over this many rows (shards), summed on read (the trial
 * balance and reconciliation add up a kind), so that no single row is updated by every recharge,
 * payout or payment in flight: concurrent transactions lock different shards. Shard 0 keeps the
 * kind's own id; the others are `<kind>:<n>`.
 */
export const systemShards = 8;

/** The shard of a system account a transaction posts to, chosen from its key (a stable id: replays agree). */
export function shardOf(systemAccount: string, key: string): string {
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 16777619);
  const n = (hash >>> 0) % systemShards;
  return n === 0 ? systemAccount : `${systemAccount}:${n}`;
}

/** Every row of a system account kind: its shards. */
export const shardsOf = (kind: AccountKind) =>
  Array.from({ length: systemShards }, (_, n) => (n === 0 ? kind : `${kind}:${n}`));

/** The row that opens an account of a kind (for an owner, when the kind is per owner). */
export function accountRow(kind: AccountKind, ownerId?: string) {
  const spec = accountKinds[kind];
  if (spec.perOwner !== (ownerId !== undefined)) throw new Error(`account kind ${kind}: owner mismatch`);
  const id = ownerId === undefined ? kind : `${kind}:${ownerId}`;
  return { id, kind, currency: spec.currency, ownerId: ownerId ?? null, normalSide: spec.normalSide };
}

/** What a ledger transaction is for; it decides how the entry reads in a member's history. */
export const ledgerKinds = [
  "RECHARGE",
  "WITHDRAW",
  "WITHDRAW_REFUND",
  "PAYOUT",
  "REMITTANCE",
  "REMITTANCE_REFUND",
  "PAYMENT",
  "PAYMENT_CANCEL",
  "FEE",
  "FEE_REFUND",
  "POINTS_EARN",
  "POINTS_TAKE_BACK",
  "POINTS_EXPIRE",
  "SETTLEMENT",
  "SETTLEMENT_RELEASE",
  "FIRMBANKING_FEE",
] as const;
export type LedgerKind = (typeof ledgerKinds)[number];

/** The kinds of GET /v1/money/history (API.md). */
export type HistoryKind =
  | "RECHARGE"
  | "WITHDRAW"
  | "REMITTANCE_OUT"
  | "REMITTANCE_IN"
  | "PAYMENT"
  | "PAYMENT_CANCEL"
  | "FEE";

const historyKinds: Partial<Record<string, HistoryKind>> = {
  RECHARGE: "RECHARGE",
  WITHDRAW: "WITHDRAW",
  WITHDRAW_REFUND: "WITHDRAW",
  PAYMENT: "PAYMENT",
  PAYMENT_CANCEL: "PAYMENT_CANCEL",
  FEE: "FEE",
  FEE_REFUND: "FEE",
};

/** Remittances, their refunds (and anything else moving member money) read as money out or in. */
export function historyKindOf(ledgerKind: string, signedAmount: number): HistoryKind {
  return historyKinds[ledgerKind] ?? (signedAmount < 0 ? "REMITTANCE_OUT" : "REMITTANCE_IN");
}

/** The kinds of GET /v1/points/me's history. */
export type PointsHistoryKind = "EARNED" | "USED" | "RETURNED" | "TAKEN_BACK" | "EXPIRED";

const pointsKinds: Partial<Record<string, PointsHistoryKind>> = {
  POINTS_EARN: "EARNED",
  PAYMENT: "USED",
  PAYMENT_CANCEL: "RETURNED",
  POINTS_TAKE_BACK: "TAKEN_BACK",
  POINTS_EXPIRE: "EXPIRED",
};

/** How an entry on a member's points reads: earned or used by a payment, given or taken back by its cancel, expired. */
export function pointsKindOf(ledgerKind: string, signedAmount: number): PointsHistoryKind {
  return pointsKinds[ledgerKind] ?? (signedAmount < 0 ? "USED" : "EARNED");
}

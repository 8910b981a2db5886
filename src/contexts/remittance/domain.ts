import { fail, ok, type Result } from "../../kernel/errors.js";

/**
 * Remittance's rules as plain functions (API.md "Remittance"): whom a member may send to, the fee,
 * who may see a remittance, and what of a saga's step log a member is shown.
 */

export type RemittanceType = "MEMBER" | "BANK";
export type RemittanceStatus = "PENDING" | "SUCCEEDED" | "FAILED";

export interface MemberRecipient {
  readonly membershipId: string;
}
export interface BankRecipient {
  readonly bankCode: string;
  readonly accountNumber: string;
}
export type Recipient = MemberRecipient | BankRecipient;

export interface Remittance {
  readonly id: string;
  readonly type: RemittanceType;
  readonly senderId: string;
  readonly to: Recipient;
  readonly amount: number;
  readonly fee: number;
  readonly memo: string | null;
  readonly status: RemittanceStatus;
  readonly autoRecharged: boolean;
  readonly failureReason: string | null;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
}

export const isMemberRecipient = (to: Recipient): to is MemberRecipient => "membershipId" in to;

export const remittanceType = (to: Recipient): RemittanceType => (isMemberRecipient(to) ? "MEMBER" : "BANK");

/** The sender pays `bankFee` (MYPAY_REMITTANCE_FEE) for a payout to a bank account; between members, nothing. */
export const remittanceFee = (type: RemittanceType, bankFee: number): number =>
  type === "BANK" ? bankFee : 0;

/**
 * Whether a member may receive the sender's remittance: not the sender itself, and an ACTIVE member.
 * An unknown and a withdrawn member are refused alike, so the answer tells nothing about who left.
 */
export function checkReceiver(
  senderId: string,
  receiverId: string,
  receiver: { readonly status: string } | undefined,
): Result<void> {
  if (receiverId === senderId) return fail("RECIPIENT_INVALID", "a remittance cannot be sent to yourself");
  if (receiver?.status !== "ACTIVE")
    return fail("RECIPIENT_INVALID", "the recipient is not an active member of mypay");
  return ok(undefined);
}

/**
 * Who sees a remittance: staff, its sender, and its receiving member once the money arrived (the same
 * remittances a receiver's list shows; one that never reached them is the sender's business).
 */
export function canSee(
  viewer: { readonly membershipId: string; readonly role: string },
  r: Remittance,
): boolean {
  if (viewer.role === "staff" || viewer.membershipId === r.senderId) return true;
  return isMemberRecipient(r.to) && r.to.membershipId === viewer.membershipId && r.status === "SUCCEEDED";
}

/** A reason shown to members: a stable UPPER_SNAKE code, never free text from a bank or a stack. */
export function publicReason(reason: string | null | undefined): string | null {
  if (reason === null || reason === undefined) return null;
  return /^[A-Z][A-Z0-9_]{0,62}$/.test(reason) ? reason : "FAILED";
}

export interface LoggedStep {
  readonly step: string;
  readonly phase: string;
  readonly outcome: string;
  readonly detail: unknown;
  readonly at: Date;
}

export interface StepHistoryItem {
  readonly step: string;
  readonly phase: "action" | "compensation";
  readonly outcome: "done" | "waiting" | "failed" | "stuck" | "retried";
  readonly at: string;
  readonly reason?: string;
}

const shownOutcomes = new Set(["done", "waiting", "failed", "stuck", "retried"]);

/**
 * The saga's step log as a member reads it: each step's outcome and time, the reason code of a
 * failure, and nothing internal (checkpoints, notes, counters). A run of waits on one step is shown
 * once, when the waiting began.
 */
export function stepHistory(log: readonly LoggedStep[]): StepHistoryItem[] {
  const items: StepHistoryItem[] = [];
  for (const entry of log) {
    if (!shownOutcomes.has(entry.outcome)) continue;
    const outcome = entry.outcome as StepHistoryItem["outcome"];
    const phase = entry.phase === "compensation" ? "compensation" : "action";
    const last = items.at(-1);
    if (
      outcome === "waiting" &&
      last?.outcome === "waiting" &&
      last.step === entry.step &&
      last.phase === phase
    )
      continue;
    const reason = outcome === "failed" ? publicReason(reasonOf(entry.detail)) : null;
    items.push({
      step: entry.step,
      phase,
      outcome,
      at: entry.at.toISOString(),
      ...(reason ? { reason } : {}),
    });
  }
  return items;
}

function reasonOf(detail: unknown): string | null {
  const reason = (detail as { reason?: unknown } | null)?.reason;
  return typeof reason === "string" ? reason : "FAILED";
}

/** The remittance as the API shows it: in the POST's answer, in lists and (with its steps) by id. */
export function remittanceView(r: Remittance) {
  return {
    remittanceId: r.id,
    type: r.type,
    from: { membershipId: r.senderId },
    to: r.to,
    amount: r.amount,
    fee: r.fee,
    memo: r.memo,
    autoRecharged: r.autoRecharged,
    status: r.status,
    failureReason: r.failureReason,
    createdAt: r.createdAt.toISOString(),
    completedAt: r.completedAt?.toISOString() ?? null,
  };
}
export type RemittanceView = ReturnType<typeof remittanceView>;

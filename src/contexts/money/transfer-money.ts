import { fail, type Result } from "../../kernel/errors.js";
import { traceHeaders } from "../../platform/tracing.js";
import type { TransferMoney, Transferred } from "./api.js";
import type { MoneyDeps } from "./deps.js";
import type { GroupRequest } from "./group-commit.js";
import { accounts, type PostedEntry } from "./ledger.js";

export const balanceOf = (entries: readonly PostedEntry[], account: string) =>
  entries.find((e) => e.account === account)?.balanceAfter ?? 0;

/**
 * Member→member (remittanceMoney between balances): one ledger transaction whose id is derived from
 * the caller's, so a retry replays the first posting, posted by group commit with the transfers that
 * arrive with it. The receiver's cap and the sender's balance are checked in the batch, in order.
 */
export async function transferMoney(deps: MoneyDeps, cmd: TransferMoney): Promise<Result<Transferred>> {
  if (cmd.from === cmd.to) return fail("CONFLICT", "a member cannot send money to itself");
  return deps.group.submit(transferRequest(cmd, deps.config.balanceCap));
}

/** The group commit request of a transfer: one ledger transaction, the receiver kept within `cap`. */
export function transferRequest(cmd: TransferMoney, cap: number): GroupRequest<Transferred> {
  const from = accounts.memberMoney(cmd.from);
  const to = accounts.memberMoney(cmd.to);
  return {
    item: {
      transactions: [
        {
          id: `${cmd.transferId}:transfer`,
          kind: "REMITTANCE",
          reference: cmd.transferId,
          postings: [
            { account: from, side: "D", amount: cmd.amount, currency: "KRW" },
            { account: to, side: "C", amount: cmd.amount, currency: "KRW" },
          ],
        },
      ],
      options: { cap },
    },
    context: {
      correlationId: cmd.correlationId,
      causationId: cmd.transferId,
      traceparent: traceHeaders().traceparent,
    },
    answer: ([posted]) => ({
      transferId: cmd.transferId,
      fromBalance: balanceOf(posted!.entries, from),
      toBalance: balanceOf(posted!.entries, to),
    }),
  };
}

import { fail, ok, type Result } from "../../kernel/errors.js";
import { txResult } from "../../platform/db/tx-result.js";
import { postAndAnnounce } from "./announce.js";
import type { TransferMoney, Transferred } from "./api.js";
import type { MoneyDeps } from "./deps.js";
import { accounts, type PostedEntry } from "./ledger.js";

export const balanceOf = (entries: readonly PostedEntry[], account: string) =>
  entries.find((e) => e.account === account)?.balanceAfter ?? 0;

/**
 * Member→member (remittanceMoney between balances): one ledger transaction whose id is derived from
 * the caller's, so a retry replays the first posting. The receiver's cap is checked; the sender's
 * balance by the posting's conditional update.
 */
export async function transferMoney(deps: MoneyDeps, cmd: TransferMoney): Promise<Result<Transferred>> {
  if (cmd.from === cmd.to) return fail("CONFLICT", "a member cannot send money to itself");
  const from = accounts.memberMoney(cmd.from);
  const to = accounts.memberMoney(cmd.to);
  return txResult(deps.db, async (tx) => {
    const posted = await postAndAnnounce(
      tx,
      {
        id: `${cmd.transferId}:transfer`,
        kind: "REMITTANCE",
        reference: cmd.transferId,
        postings: [
          { account: from, side: "D", amount: cmd.amount, currency: "KRW" },
          { account: to, side: "C", amount: cmd.amount, currency: "KRW" },
        ],
      },
      { cap: deps.config.balanceCap },
      { correlationId: cmd.correlationId, causationId: cmd.transferId },
    );
    if (!posted.ok) return posted;
    const { entries } = posted.value;
    return ok({
      transferId: cmd.transferId,
      fromBalance: balanceOf(entries, from),
      toBalance: balanceOf(entries, to),
    });
  });
}

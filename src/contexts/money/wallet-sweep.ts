import { type BackgroundLoop, createBackgroundLoop } from "../../platform/background-loop.js";
import type { Db } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import type { MembershipApi } from "../membership/api.js";
import { reopenStaleWallet, staleClosingWallets } from "./wallet.js";

const everyMs = 15_000;
const batch = 50;

/**
 * Reopens wallets left CLOSING by a member who is still ACTIVE: the process died between closing
 * the wallet and committing the withdrawal (or reopening it), which must not freeze the wallet for
 * good. A withdrawn member's wallet is left to MemberWithdrawn, which closes it.
 */
export async function reopenAbandonedWallets(db: Db, membership: MembershipApi, logger: Logger) {
  let reopened = 0;
  for (const membershipId of await staleClosingWallets(db, batch)) {
    const member = await membership.getMember(membershipId);
    if (member?.status !== "ACTIVE") continue;
    if (await reopenStaleWallet(db, membershipId)) reopened += 1;
  }
  if (reopened > 0) logger.warn({ reopened }, "reopened wallets of members whose withdrawal did not finish");
  return reopened;
}

export function createWalletSweep(db: Db, membership: MembershipApi, logger: Logger): BackgroundLoop {
  return createBackgroundLoop({
    round: async () => {
      await reopenAbandonedWallets(db, membership, logger);
      return everyMs;
    },
    onError: (err) => {
      logger.warn({ err }, "wallet sweep failed; will retry");
      return everyMs;
    },
  });
}

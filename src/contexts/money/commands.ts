import type { MoneyCommands } from "./api.js";
import type { MoneyDeps } from "./deps.js";
import { ensureBalance } from "./ensure-balance.js";
import { endHold, hold } from "./holds.js";
import { memberMoney } from "./ledger.js";
import { payFranchise, refundPayment } from "./pay-franchise.js";
import { transferMoney } from "./transfer-money.js";

/** Money's commands for the other contexts (MoneyCommands in api.ts), in process. */
export function moneyCommands(deps: MoneyDeps): MoneyCommands {
  return {
    async balances(membershipId) {
      const money = await memberMoney(deps.db, membershipId);
      return money && { membershipId, balance: money.balance, points: money.points };
    },
    ensureBalance: (cmd) => ensureBalance(deps, cmd),
    transfer: (cmd) => transferMoney(deps, cmd),
    hold: (cmd) => hold(deps, cmd),
    settleHold: (holdId) => endHold(deps, holdId, "SETTLED"),
    releaseHold: (holdId) => endHold(deps, holdId, "RELEASED"),
    pay: (cmd) => payFranchise(deps, cmd),
    refund: (cmd) => refundPayment(deps, cmd),
  };
}

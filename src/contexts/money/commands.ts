import type { MoneyCommands } from "./api.js";
import type { MoneyDeps } from "./deps.js";

/** Money's commands for the other contexts (MoneyCommands in api.ts). */
export function moneyCommands(_deps: MoneyDeps): MoneyCommands {
  const todo = async (): Promise<never> => {
    throw new Error("money command not built yet");
  };
  return {
    balances: todo,
    ensureBalance: todo,
    transfer: todo,
    hold: todo,
    settleHold: todo,
    releaseHold: todo,
    pay: todo,
    refund: todo,
  };
}

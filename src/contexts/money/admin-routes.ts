import { unwrap } from "../../kernel/errors.js";
import { responses } from "../../platform/http/problem.js";
import type { HttpServer } from "../../platform/http/server.js";
import type { MoneyDeps } from "./deps.js";
import { safeguarding, trialBalance } from "./ledger.js";
import { Reconciliation, TrialBalance } from "./schemas.js";

const tags = ["administration"];
const staffOnly = { auth: { roles: ["staff" as const] } };

/** The books, for staff: the trial balance and the reconciliation of corporate cash with the bank. */
export function registerAdminRoutes(app: HttpServer, deps: MoneyDeps) {
  app.get(
    "/v1/admin/ledger/trial-balance",
    {
      config: staffOnly,
      schema: {
        tags,
        summary: "Every ledger account's balance; total debits equal total credits",
        response: responses({ 200: TrialBalance }, []),
      },
    },
    async () => trialBalance(deps.db),
  );

  app.get(
    "/v1/admin/reconciliation",
    {
      config: staffOnly,
      schema: {
        tags,
        summary:
          "The corporate account's balance at the bank against corporate cash in the ledger, and the customer funds that cash must cover",
        response: responses({ 200: Reconciliation }, ["BANK_UNAVAILABLE"]),
      },
    },
    async () => {
      const inFlight = await deps.banking.inFlightCount();
      const bankBalance = unwrap(await deps.banking.corporateBalanceAtBank());
      const { corporateCash: ledgerBalance, customerFunds } = await safeguarding(deps.db);
      const difference = bankBalance - ledgerBalance;
      return {
        bankBalance,
        ledgerBalance,
        difference,
        ok: difference === 0,
        inFlight,
        customerFunds,
        safeguarded: ledgerBalance >= customerFunds,
      };
    },
  );
}

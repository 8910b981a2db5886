import { Type } from "@sinclair/typebox";
import { ProblemError, unwrap } from "../../kernel/errors.js";
import { principalOf } from "../../platform/auth/guard.js";
import { responses } from "../../platform/http/problem.js";
import type { HttpServer } from "../../platform/http/server.js";
import { changeContract } from "./contracts.js";
import type { BankingDeps } from "./deps.js";
import { listFirmbanking } from "./firmbanking-store.js";
import { linkAccount, listAccounts, unlinkAccount } from "./link-account.js";
import {
  Bank,
  BankAccount,
  BankAccountList,
  BankAccountParams,
  BankAccountQuery,
  BankList,
  BankParams,
  bankAccountView,
  bankView,
  ChangeBankBody,
  FirmbankingList,
  FirmbankingQuery,
  firmbankingView,
  LinkBody,
  page,
} from "./schemas.js";
import { listContracts } from "./store.js";

/** Banking's HTTP routes (API.md "Banks and linked bank accounts"). */

const tags = ["banking"];
const signedIn = { auth: {} };
const staffOnly = { auth: { roles: ["staff" as const] } };

function registerBankRoutes(app: HttpServer, deps: BankingDeps) {
  app.get(
    "/v1/banks",
    {
      schema: {
        tags,
        summary: "The banks mypay has a firmbanking contract with",
        response: responses({ 200: BankList }, []),
      },
    },
    async () => ({ items: (await listContracts(deps.db)).map(bankView) }),
  );

  app.patch(
    "/v1/admin/banks/:bankCode",
    {
      config: staffOnly,
      schema: {
        tags,
        summary: "Change a bank's contract: suspend or reactivate it, its expiry, its fee per transfer",
        params: BankParams,
        body: ChangeBankBody,
        response: responses({ 200: Bank }, ["NOT_FOUND"]),
      },
    },
    async (request) => {
      const { status, contractExpiresAt, feePerTransfer } = request.body;
      const changes = {
        status,
        feePerTransfer,
        contractExpiresAt: contractExpiresAt ? new Date(contractExpiresAt) : undefined,
      };
      return bankView(unwrap(await changeContract(deps, request.params.bankCode, changes)));
    },
  );
}

function registerLinkRoute(app: HttpServer, deps: BankingDeps) {
  app.post(
    "/v1/bank-accounts",
    {
      config: signedIn,
      schema: {
        tags,
        summary: "Link one of your bank accounts (201); an account already linked answers its link (200)",
        body: LinkBody,
        response: responses({ 201: BankAccount, 200: BankAccount }, [
          "NOT_FOUND",
          "BANK_NOT_SUPPORTED",
          "BANK_ACCOUNT_INVALID",
          "BANK_UNAVAILABLE",
        ]),
      },
    },
    async (request, reply) => {
      const linked = unwrap(await linkAccount(deps, principalOf(request).membershipId, request.body));
      return reply.status(linked.created ? 201 : 200).send(bankAccountView(linked.link));
    },
  );
}

function registerAccountRoutes(app: HttpServer, deps: BankingDeps) {
  app.get(
    "/v1/bank-accounts",
    {
      config: signedIn,
      schema: {
        tags,
        summary: "Your linked bank accounts, newest first",
        querystring: BankAccountQuery,
        response: responses({ 200: BankAccountList }, []),
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listAccounts(deps, principalOf(request).membershipId, {
        before: cursor,
        limit: limit + 1,
      });
      return page(rows, limit, bankAccountView);
    },
  );

  app.delete(
    "/v1/bank-accounts/:id",
    {
      config: signedIn,
      schema: {
        tags,
        summary: "Unlink one of your bank accounts",
        params: BankAccountParams,
        response: responses({ 204: Type.Null({ description: "Unlinked" }) }, ["NOT_FOUND"]),
      },
    },
    async (request, reply) => {
      unwrap(await unlinkAccount(deps, principalOf(request).membershipId, request.params.id));
      return reply.status(204).send();
    },
  );
}

function registerFirmbankingRoutes(app: HttpServer, deps: BankingDeps) {
  app.get(
    "/v1/firmbanking",
    {
      config: signedIn,
      schema: {
        tags,
        summary:
          "Firmbanking requests, newest first: your own, or anyone's for staff (?membershipId= to narrow)",
        querystring: FirmbankingQuery,
        response: responses({ 200: FirmbankingList }, ["FORBIDDEN"]),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { limit, cursor, membershipId } = request.query;
      if (
        principal.role !== "staff" &&
        membershipId !== undefined &&
        membershipId !== principal.membershipId
      ) {
        throw new ProblemError({
          code: "FORBIDDEN",
          detail: "only staff may list another member's firmbanking",
        });
      }
      const whose = principal.role === "staff" ? membershipId : principal.membershipId;
      const rows = await listFirmbanking(deps.db, { membershipId: whose, before: cursor, limit: limit + 1 });
      return page(rows, limit, firmbankingView);
    },
  );
}

export function registerBankingRoutes(app: HttpServer, deps: BankingDeps) {
  registerBankRoutes(app, deps);
  registerLinkRoute(app, deps);
  registerAccountRoutes(app, deps);
  registerFirmbankingRoutes(app, deps);
}

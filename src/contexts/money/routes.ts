import { ProblemError } from "../../kernel/errors.js";
import { canAccess, principalOf } from "../../platform/auth/guard.js";
import { responses } from "../../platform/http/problem.js";
import type { HttpServer } from "../../platform/http/server.js";
import { runSagaRequest } from "../../platform/saga/request.js";
import { type MoneyDeps, moneySchema } from "./deps.js";
import { history, memberMoney, pointsHistory } from "./ledger.js";
import { createMoneyReader } from "./money-reads.js";
import { type MoveKind, moveBody, moveByKey, moveOwner } from "./moves.js";
import { startRecharge } from "./recharge.js";
import {
  History,
  HistoryQuery,
  IdempotencyHeaders,
  IdParams,
  MoveBody,
  MyMoney,
  Points,
  Recharge,
  Withdrawal,
} from "./schemas.js";
import { startWithdrawal } from "./withdraw.js";

/** The member's money routes (API.md "Money"). */

const tags = ["money"];
const signedIn = { auth: {} };
const moveErrors = [
  "INVALID_AMOUNT_UNIT",
  "NO_LINKED_ACCOUNT",
  "BALANCE_LIMIT_EXCEEDED",
  "INSUFFICIENT_BALANCE",
  "IDEMPOTENCY_KEY_REUSED",
  "CONFLICT",
  "BANK_UNAVAILABLE",
] as const;

const notFound = () => new ProblemError({ code: "NOT_FOUND", detail: "no such resource" });

export function registerMoneyRoutes(app: HttpServer, deps: MoneyDeps) {
  const body = MoveBody(deps.config.transactionLimit);
  const reader = createMoneyReader(deps.db);

  app.get(
    "/v1/money/me",
    {
      config: signedIn,
      schema: { tags, summary: "The caller's money and points", response: responses({ 200: MyMoney }, []) },
    },
    async (request) => {
      const { membershipId } = principalOf(request);
      const money = await reader.read(membershipId);
      return {
        membershipId,
        balance: money?.balance ?? 0,
        points: money?.points ?? 0,
        updatedAt: (money?.updatedAt ?? deps.clock.now()).toISOString(),
      };
    },
  );

  app.post(
    "/v1/money/recharge",
    {
      config: signedIn,
      schema: {
        tags,
        summary: "Recharge money from the linked bank account (a multiple of 10,000 won)",
        headers: IdempotencyHeaders,
        body,
        response: responses({ 201: Recharge }, moveErrors),
      },
    },
    async (request, reply) => {
      const { membershipId } = principalOf(request);
      return runSagaRequest({ ...deps, schema: moneySchema }, request, reply, {
        scope: membershipId,
        findExisting: (key) => moveByKey(deps.db, "recharge", membershipId, key),
        start: (idempotency) =>
          startRecharge(deps, {
            membershipId,
            amount: request.body.amount,
            ...(request.body.bankAccountId ? { bankAccountId: request.body.bankAccountId } : {}),
            idempotency,
            auto: false,
            correlationId: request.id,
          }),
        answer: async (id) => ({ status: 201, body: await moveBody(deps.db, "recharge", id) }),
      });
    },
  );

  app.post(
    "/v1/money/withdraw",
    {
      config: signedIn,
      schema: {
        tags,
        summary: "Send money back to the linked bank account",
        headers: IdempotencyHeaders,
        body,
        response: responses({ 201: Withdrawal }, moveErrors),
      },
    },
    async (request, reply) => {
      const { membershipId } = principalOf(request);
      return runSagaRequest({ ...deps, schema: moneySchema }, request, reply, {
        scope: membershipId,
        findExisting: (key) => moveByKey(deps.db, "withdrawal", membershipId, key),
        start: (idempotency) =>
          startWithdrawal(deps, {
            membershipId,
            amount: request.body.amount,
            ...(request.body.bankAccountId ? { bankAccountId: request.body.bankAccountId } : {}),
            idempotency,
            correlationId: request.id,
          }),
        answer: async (id) => ({ status: 201, body: await moveBody(deps.db, "withdrawal", id) }),
      });
    },
  );

  app.get(
    "/v1/money/history",
    {
      config: signedIn,
      schema: {
        tags,
        summary: "The caller's money entries, newest first",
        querystring: HistoryQuery,
        response: responses({ 200: History }, []),
      },
    },
    async (request) => {
      const page = await history(deps.db, principalOf(request).membershipId, request.query);
      return {
        items: page.items.map((i) => ({ ...i, createdAt: i.createdAt.toISOString() })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    "/v1/points/me",
    {
      config: signedIn,
      schema: {
        tags: ["points"],
        summary: "The caller's points and their history, newest first",
        querystring: HistoryQuery,
        response: responses({ 200: Points }, []),
      },
    },
    async (request) => {
      const { membershipId } = principalOf(request);
      const [wallet, page] = await Promise.all([
        memberMoney(deps.db, membershipId),
        pointsHistory(deps.db, membershipId, request.query),
      ]);
      return {
        membershipId,
        points: wallet?.points ?? 0,
        history: page.items.map((i) => ({ ...i, createdAt: i.createdAt.toISOString() })),
        nextCursor: page.nextCursor,
      };
    },
  );

  registerLookups(app, deps);
}

/** A recharge or withdrawal by id: to follow one that answered PENDING. */
function registerLookups(app: HttpServer, deps: MoneyDeps) {
  const lookups: ReadonlyArray<{
    path: string;
    prefix: string;
    kind: MoveKind;
    schema: typeof Recharge | typeof Withdrawal;
  }> = [
    { path: "/v1/money/recharges/:id", prefix: "rch", kind: "recharge", schema: Recharge },
    { path: "/v1/money/withdrawals/:id", prefix: "wdr", kind: "withdrawal", schema: Withdrawal },
  ];
  for (const l of lookups) {
    app.get(
      l.path,
      {
        config: signedIn,
        schema: {
          tags,
          summary: `One ${l.kind}, with its current status`,
          params: IdParams(l.prefix),
          response: responses({ 200: l.schema }, ["NOT_FOUND"]),
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const owner = await moveOwner(deps.db, l.kind, id);
        if (!owner || !canAccess(principalOf(request), owner)) throw notFound();
        return moveBody(deps.db, l.kind, id);
      },
    );
  }
}

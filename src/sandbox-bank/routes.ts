import type { Logger } from "pino";
import { unwrap } from "../kernel/errors.js";
import { responses, sendProblem } from "../platform/http/problem.js";
import type { HttpServer } from "../platform/http/server.js";
import type { FaultInjector } from "./faults.js";
import {
  Account,
  AccountParams,
  BankList,
  banks,
  ChangeStatusBody,
  OpenAccountBody,
  TransferBody,
  type TransferCommand,
  TransferParams,
  TransferRecord,
  TransferResult,
} from "./schemas.js";
import { type BankStore, changeStatus, findAccount, openAccount } from "./store.js";
import { findTransfer, transfer } from "./transfers.js";

export interface RouteDeps {
  store: BankStore;
  faults: FaultInjector;
  logger: Logger;
}

const accountNotFound = (p: { bankCode: string; accountNumber: string }) => ({
  code: "NOT_FOUND" as const,
  detail: `no account ${p.accountNumber} at bank ${p.bankCode}`,
});

export function registerAccountRoutes(app: HttpServer, { store }: RouteDeps) {
  app.get("/health", { schema: { hide: true } }, async () => ({ status: "UP" }));

  app.get(
    "/banks",
    { schema: { summary: "The banks the sandbox plays", response: { 200: BankList } } },
    async () => ({
      items: [...banks],
    }),
  );

  app.post(
    "/accounts",
    {
      schema: {
        summary: "Open an account",
        body: OpenAccountBody,
        response: responses({ 201: Account }, []),
      },
    },
    async (request, reply) => {
      const { bankCode, holderName, balance = 0 } = request.body;
      return reply.status(201).send(await openAccount(store, { bankCode, holderName, balance }));
    },
  );

  app.get(
    "/accounts/:bankCode/:accountNumber",
    {
      schema: {
        summary: "An account with its balance and status",
        params: AccountParams,
        response: responses({ 200: Account }, ["NOT_FOUND"]),
      },
    },
    async (request, reply) =>
      (await findAccount(store, request.params)) ?? sendProblem(reply, accountNotFound(request.params)),
  );

  app.patch(
    "/accounts/:bankCode/:accountNumber",
    {
      schema: {
        summary: "Freeze, close or reactivate an account",
        params: AccountParams,
        body: ChangeStatusBody,
        response: responses({ 200: Account }, ["NOT_FOUND"]),
      },
    },
    async (request, reply) =>
      (await changeStatus(store, request.params, request.body.status)) ??
      sendProblem(reply, accountNotFound(request.params)),
  );
}

export function registerTransferRoutes(app: HttpServer, { store, faults, logger }: RouteDeps) {
  const carryOut = async (cmd: TransferCommand) =>
    unwrap(await transfer(store, cmd, { refuse: faults.chance(faults.current().failureRate) }));

  app.post(
    "/transfers",
    {
      schema: {
        summary: "Move money; the same requestId never moves money twice",
        body: TransferBody,
        response: responses({ 200: TransferResult }, ["CONFLICT", "BANK_UNAVAILABLE"]),
      },
    },
    async (request, reply) => {
      if (!faults.chance(faults.current().timeoutRate)) return carryOut(request.body);
      // An injected timeout: carried out or not at random; either way the answer is lost.
      if (faults.chance(0.5)) {
        await carryOut(request.body).catch((err: unknown) =>
          logger.warn({ err }, "timed-out transfer failed"),
        );
      }
      return faults.dropAfterHold(reply);
    },
  );

  app.get(
    "/transfers/:requestId",
    {
      schema: {
        summary: "The outcome of a transfer, or 404 if the bank never received it",
        params: TransferParams,
        response: responses({ 200: TransferRecord }, ["NOT_FOUND"]),
      },
    },
    async (request, reply) =>
      (await findTransfer(store, request.params.requestId)) ??
      sendProblem(reply, {
        code: "NOT_FOUND",
        detail: `the bank has no transfer ${request.params.requestId}`,
      }),
  );
}

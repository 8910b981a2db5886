import type { FastifyReply, FastifyRequest } from "fastify";
import type { Result } from "../../kernel/errors.js";
import type { Db } from "../db/db.js";
import { problemBody, sendProblem } from "../http/problem.js";
import {
  answerClaim,
  claimKey,
  completeKey,
  hashRequest,
  type IdempotencyKey,
  isRetryableFailure,
  type Reply,
  readIdempotencyKey,
  recordedResponse,
  releaseKey,
  sendRecorded,
  watchAnswer,
} from "../idempotency.js";
import type { SagaEngine } from "./engine.js";

/** The context that owns the saga: its database and schema (the keys live there too) and its engine. */
export interface SagaRequestDeps {
  readonly db: Db;
  readonly schema: string;
  readonly engine: SagaEngine;
  readonly kickRelay: () => void;
}

export interface SagaRequest {
  /** The caller; idempotency keys are scoped per member. */
  readonly scope: string;
  /** What an earlier attempt with this key created, if it died before answering. */
  findExisting(key: string): Promise<string | undefined>;
  /** Checks and records the business transaction and its saga; returns its id. */
  start(key: IdempotencyKey): Promise<Result<string>>;
  /** The answer while the saga is still under way (status PENDING). */
  answer(id: string): Promise<Reply>;
}

/**
 * A money-moving POST run by a saga (recharge, withdraw, remittance, payment): at most once per Idempotency-Key. The saga is driven as far as
 * it goes now; the response the client gets first (SUCCEEDED, FAILED or PENDING) is the one every
 * retry gets, recorded in the same transaction as the saga's last step when it finishes in time.
 */
export async function runSagaRequest(
  deps: SagaRequestDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  spec: SagaRequest,
) {
  const header = readIdempotencyKey(request, true);
  if (!header.ok) return sendProblem(reply, header.error);
  const key: IdempotencyKey = {
    scope: spec.scope,
    key: header.value as string,
    requestHash: hashRequest(request),
  };
  const claim = await claimKey(deps.db, deps.schema, key);
  if (claim.kind !== "proceed") return answerClaim(reply, claim);

  // Only a key taken over from a dead holder can have a business row already: a new one has none.
  let id = claim.fresh ? undefined : await spec.findExisting(key.key);
  if (id === undefined) {
    const started = await startOrRelease(deps, key, spec);
    if (!started.ok) {
      const body = problemBody(started.error, request);
      if (!isRetryableFailure(started.error)) await completeKey(deps.db, deps.schema, key, body.status, body);
      return sendRecorded(reply, { status: body.status, body }, false);
    }
    id = started.value;
  }
  const recorded =
    (await driveToAnswer(deps, request, id, key)) ?? (await recordedResponse(deps.db, deps.schema, key));
  if (recorded) return sendRecorded(reply, recorded, false);
  const pending = await spec.answer(id);
  if (await completeKey(deps.db, deps.schema, key, pending.status, pending.body)) {
    return sendRecorded(reply, pending, false);
  }
  return sendRecorded(reply, (await recordedResponse(deps.db, deps.schema, key)) ?? pending, false);
}

async function startOrRelease(
  deps: SagaRequestDeps,
  key: IdempotencyKey,
  spec: SagaRequest,
): Promise<Result<string>> {
  try {
    const started = await spec.start(key);
    if (!started.ok && isRetryableFailure(started.error)) await releaseKey(deps.db, deps.schema, key);
    return started;
  } catch (error) {
    await releaseKey(deps.db, deps.schema, key);
    throw error;
  }
}

/**
 * Drives the saga as far as it goes now. When this run ended it, its last transaction recorded the
 * answer, which is then known here without reading it back.
 */
async function driveToAnswer(
  deps: SagaRequestDeps,
  request: FastifyRequest,
  id: string,
  key: IdempotencyKey,
): Promise<Reply | undefined> {
  const answer = watchAnswer(deps.schema, key);
  try {
    const status = await deps.engine.drive(id);
    deps.kickRelay();
    return status === "COMPLETED" || status === "COMPENSATED" ? answer.last() : undefined;
  } catch (error) {
    // The saga is durable: the worker finishes it; the client learns PENDING now.
    request.log.warn({ err: error, sagaId: id }, "saga did not finish in the request");
    return undefined;
  } finally {
    answer.stop();
  }
}

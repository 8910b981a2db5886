import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type Failure, ProblemError, type Result, statusOf } from "../kernel/errors.js";
import { type Db, ident, type Queryable } from "./db/db.js";
import { processHolder } from "./heartbeat.js";
import { problemBody, problemContentType, sendProblem } from "./http/problem.js";

export interface IdempotencyKey {
  /** Keys are scoped per member (API.md); one member's key never collides with another's. */
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
}

export type Claim =
  /** `fresh`: the key was new, so no earlier attempt can have created anything with it. */
  | { readonly kind: "proceed"; readonly fresh: boolean }
  | { readonly kind: "replay"; readonly status: number; readonly body: unknown }
  | { readonly kind: "in-flight" }
  | { readonly kind: "mismatch" };

/** How long a claim holds when its holder's heartbeat cannot tell whether it is alive. */
export const claimLeaseSeconds = 60;

/**
 * Claims a key for one request: a new key (or one whose holder died without committing an effect)
 * proceeds; a finished one replays; one still in flight is refused; another body is a mismatch.
 * A holder is known dead as soon as its heartbeat lapses (heartbeat.ts); without a heartbeat row
 * (a claim older than holders, a process that died before its first beat) the lease decides.
 */
export async function claimKey(
  db: Queryable,
  schema: string,
  k: IdempotencyKey,
  holder: string = processHolder,
): Promise<Claim> {
  const s = ident(schema);
  const claimed = await db.query<{ fresh: boolean }>(
    `INSERT INTO ${s}.idempotency_keys AS k (scope, key, request_hash, state, locked_until, holder)
     VALUES ($1, $2, $3, 'IN_FLIGHT', now() + make_interval(secs => $4), $5)
     ON CONFLICT (scope, key) DO UPDATE SET locked_until = EXCLUDED.locked_until, holder = EXCLUDED.holder
       WHERE k.state = 'IN_FLIGHT' AND k.request_hash = EXCLUDED.request_hash
         AND (k.locked_until < now() OR EXISTS (
           SELECT 1 FROM ${s}.process_heartbeats h WHERE h.holder = k.holder AND h.alive_until < now()))
     RETURNING (xmax = 0) AS fresh`,
    [k.scope, k.key, k.requestHash, claimLeaseSeconds, holder],
  );
  // xmax is 0 on a row this statement inserted, and set on one it updated (a dead holder's claim).
  const [won] = claimed;
  if (won) return { kind: "proceed", fresh: won.fresh === true };
  const rows = await db.query<{
    request_hash: string;
    state: string;
    response_status: number;
    response_body: unknown;
  }>(
    `SELECT request_hash, state, response_status, response_body FROM ${s}.idempotency_keys WHERE scope = $1 AND key = $2`,
    [k.scope, k.key],
  );
  const row = rows[0];
  if (!row) return claimKey(db, schema, k, holder); // released in between: try again
  if (row.request_hash !== k.requestHash) return { kind: "mismatch" };
  if (row.state === "DONE") return { kind: "replay", status: row.response_status, body: row.response_body };
  return { kind: "in-flight" };
}

/**
 * Records the response, inside the transaction that commits the effect. Only an open claim takes it:
 * the first response recorded is the one every retry gets. Returns false if one was recorded already.
 */
export async function completeKey(
  tx: Queryable,
  schema: string,
  k: IdempotencyKey,
  status: number,
  body: unknown,
  /** Only while this holder still has the claim (an effect of the claiming request, not a saga's). */
  holder?: string,
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE ${ident(schema)}.idempotency_keys
     SET state = 'DONE', response_status = $3, response_body = $4::jsonb, completed_at = now()
     WHERE scope = $1 AND key = $2 AND state = 'IN_FLIGHT' AND ($5::text IS NULL OR holder = $5) RETURNING 1`,
    [k.scope, k.key, status, body, holder ?? null],
  );
  if (rows.length === 0) return false;
  noteAnswer(schema, k, status, body);
  return true;
}

/** Requests of this process waiting on the answer a saga records for their key (watchAnswer). */
const watched = new Map<string, Reply | undefined>();
const watchId = (schema: string, k: IdempotencyKey) => JSON.stringify([schema, k.scope, k.key]);

function noteAnswer(schema: string, k: IdempotencyKey, status: number, body: unknown) {
  const id = watchId(schema, k);
  // As the database gives it back to a replay (JSON), so that both answers are the same.
  if (watched.has(id)) watched.set(id, { status, body: JSON.parse(JSON.stringify(body ?? null)) });
}

export interface AnswerWatch {
  /**
   * The last answer recorded for the key in this process since the watch began. It is the committed
   * one only if the caller knows that the transaction recording it committed (a saga it drove to its
   * end records its answer in its last transaction); otherwise read recordedResponse.
   */
  last(): Reply | undefined;
  stop(): void;
}

/** Lets the request that drives a saga answer from its last transaction without reading the key back. */
export function watchAnswer(schema: string, k: IdempotencyKey): AnswerWatch {
  const id = watchId(schema, k);
  watched.set(id, undefined);
  return { last: () => watched.get(id), stop: () => void watched.delete(id) };
}

/** The response recorded for a key, if any. */
export async function recordedResponse(
  db: Queryable,
  schema: string,
  k: IdempotencyKey,
): Promise<Reply | undefined> {
  const [row] = await db.query<{ response_status: number; response_body: unknown }>(
    `SELECT response_status, response_body FROM ${ident(schema)}.idempotency_keys
     WHERE scope = $1 AND key = $2 AND state = 'DONE'`,
    [k.scope, k.key],
  );
  return row ? { status: row.response_status, body: row.response_body } : undefined;
}

/**
 * Frees this process's claim whose request failed before any effect committed, so that a retry can
 * run; a claim another process took over meanwhile is its to finish.
 */
export async function releaseKey(db: Queryable, schema: string, k: IdempotencyKey, holder = processHolder) {
  await db.query(
    `DELETE FROM ${ident(schema)}.idempotency_keys
     WHERE scope = $1 AND key = $2 AND state = 'IN_FLIGHT' AND holder = $3`,
    [k.scope, k.key, holder],
  );
}

/** A stable hash of what the request asks for: method, route, path parameters and body. */
export function hashRequest(request: FastifyRequest): string {
  const what = [request.method, request.routeOptions.url, canonical(request.params), canonical(request.body)];
  return createHash("sha256").update(JSON.stringify(what)).digest("hex");
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

const keyPattern = /^[\x20-\x7e]{1,255}$/;

/** The Idempotency-Key header: undefined when absent, a failure when malformed or required and absent. */
export function readIdempotencyKey(request: FastifyRequest, required: boolean): Result<string | undefined> {
  const raw = request.headers["idempotency-key"];
  if (raw === undefined) {
    return required
      ? { ok: false, error: { code: "VALIDATION_FAILED", detail: "the Idempotency-Key header is required" } }
      : { ok: true, value: undefined };
  }
  if (typeof raw !== "string" || !keyPattern.test(raw)) {
    return {
      ok: false,
      error: {
        code: "VALIDATION_FAILED",
        detail: "the Idempotency-Key header must be 1-255 printable characters",
      },
    };
  }
  return { ok: true, value: raw };
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

export interface IdempotentRoute {
  readonly db: Db;
  readonly schema: string;
  /** Usually the caller's membership id. */
  readonly scope: string;
  readonly required: boolean;
}

/** The answer to a key that may not proceed: a replay, a mismatch (422) or one in flight (409). */
export function answerClaim(reply: FastifyReply, claim: Exclude<Claim, { kind: "proceed" }>) {
  switch (claim.kind) {
    case "replay":
      return sendRecorded(reply, { status: claim.status, body: claim.body }, true);
    case "mismatch":
      return sendProblem(reply, {
        code: "IDEMPOTENCY_KEY_REUSED",
        detail: "this Idempotency-Key was used with a different request",
      });
    case "in-flight":
      return sendProblem(reply, {
        code: "CONFLICT",
        detail: "a request with this Idempotency-Key is still in flight",
      });
  }
}

/** Sends a recorded response as it was first sent (problem documents keep their media type). */
export function sendRecorded(reply: FastifyReply, recorded: Reply, replayed: boolean) {
  if (replayed) reply.header("idempotent-replayed", "true");
  if (recorded.status >= 400) reply.type(problemContentType);
  return reply.status(recorded.status).send(recorded.body);
}

/** Whether a failure says nothing about the request itself, so that a retry with the same key may succeed. */
export const isRetryableFailure = (f: Failure) => statusOf(f.code) >= 500;

class Rollback extends Error {
  constructor(readonly failure: Failure) {
    super(failure.code);
  }
}

/** This request stalled past its heartbeat and a retry took its claim over: its effect must not commit. */
class ClaimLost extends Error {}

/**
 * Runs a one-transaction effect at most once per key: the effect, its events and the stored
 * response commit together. An expected failure rolls the effect back and is stored as the answer.
 */
export async function runIdempotent(
  route: IdempotentRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  effect: (tx: Queryable) => Promise<Result<Reply>>,
) {
  const header = readIdempotencyKey(request, route.required);
  if (!header.ok) return sendProblem(reply, header.error);
  if (header.value === undefined) {
    const result = await route.db.tx(effect);
    return result.ok
      ? reply.status(result.value.status).send(result.value.body)
      : sendProblem(reply, result.error);
  }
  const k: IdempotencyKey = { scope: route.scope, key: header.value, requestHash: hashRequest(request) };
  const claim = await claimKey(route.db, route.schema, k);
  if (claim.kind !== "proceed") return answerClaim(reply, claim);
  try {
    const done = await route.db.tx(async (tx) => {
      const result = await effect(tx);
      if (!result.ok) throw new Rollback(result.error);
      const { status, body } = result.value;
      if (!(await completeKey(tx, route.schema, k, status, body, processHolder))) throw new ClaimLost();
      return result.value;
    });
    return reply.status(done.status).send(done.body);
  } catch (error) {
    if (error instanceof ClaimLost) {
      const recorded = await recordedResponse(route.db, route.schema, k);
      return recorded ? sendRecorded(reply, recorded, true) : answerClaim(reply, { kind: "in-flight" });
    }
    if (!(error instanceof Rollback) || isRetryableFailure(error.failure)) {
      await releaseKey(route.db, route.schema, k);
      throw error instanceof Rollback ? new ProblemError(error.failure) : error;
    }
    const body = problemBody(error.failure, request);
    await completeKey(route.db, route.schema, k, body.status, body);
    return sendRecorded(reply, { status: body.status, body }, false);
  }
}

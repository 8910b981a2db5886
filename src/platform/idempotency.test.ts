import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Type } from "@sinclair/typebox";
import { fail, ok } from "../kernel/errors.js";
import { openTestDb } from "../testing/db.js";
import type { Db } from "./db/db.js";
import { migrate, platformMigrationsDir } from "./db/migrate.js";
import { createMetrics } from "./http/metrics.js";
import { createHttpServer, type HttpServer } from "./http/server.js";
import { claimKey, hashRequest, runIdempotent } from "./idempotency.js";
import { createLogger } from "./logging.js";

// A stand-in money route: "transfer" moves an amount into a pot, at most once per key.
let db: Db;
let app: HttpServer;
const schema = "idem_test";

before(async () => {
  db = await openTestDb();
  await migrate(db, { schema, dirs: [platformMigrationsDir] });
  await db.exec(
    `CREATE TABLE ${schema}.pot (owner TEXT PRIMARY KEY, total BIGINT NOT NULL, moves INT NOT NULL)`,
  );
  app = await createHttpServer({
    logger: createLogger("silent"),
    metrics: createMetrics(),
    title: "t",
    docs: false,
  });
  app.post(
    "/pots/:owner/transfers",
    {
      schema: {
        params: Type.Object({ owner: Type.String() }),
        body: Type.Object({ amount: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const { owner } = request.params;
      return runIdempotent({ db, schema, scope: owner, required: true }, request, reply, async (tx) => {
        if (request.body.amount > 1_000)
          return fail("INSUFFICIENT_BALANCE", "the pot takes at most 1,000 won");
        // As if this request stalled past its heartbeat while a retry elsewhere took its claim over.
        if (owner === "stalled")
          await tx.query(
            `UPDATE ${schema}.idempotency_keys SET holder = 'another-process' WHERE scope = $1`,
            [owner],
          );
        const [row] = await tx.query<{ total: number; moves: number }>(
          `INSERT INTO ${schema}.pot (owner, total, moves) VALUES ($1, $2, 1)
           ON CONFLICT (owner) DO UPDATE SET total = pot.total + $2, moves = pot.moves + 1 RETURNING total, moves`,
          [owner, request.body.amount],
        );
        return ok({ status: 201, body: { owner, total: row?.total, moves: row?.moves } });
      });
    },
  );
  await app.ready();
});

after(async () => {
  await app.close();
  await db.close();
});

const transfer = (owner: string, amount: number, key?: string) =>
  app.inject({
    method: "POST",
    url: `/pots/${owner}/transfers`,
    payload: { amount },
    headers: key === undefined ? {} : { "idempotency-key": key },
  });

const pot = async (owner: string) =>
  (
    await db.query<{ total: number; moves: number }>(
      `SELECT total, moves FROM ${schema}.pot WHERE owner = $1`,
      [owner],
    )
  )[0];

describe("idempotency keys", () => {
  test("a retry with the same key and body returns the first response and moves nothing again", async () => {
    const first = await transfer("alice", 300, "k-1");
    const again = await transfer("alice", 300, "k-1");
    assert.equal(first.statusCode, 201);
    assert.equal(again.statusCode, 201);
    assert.deepEqual(again.json(), first.json());
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(first.headers["idempotent-replayed"], undefined);
    assert.deepEqual(await pot("alice"), { total: 300, moves: 1 });
  });

  test("the same key with a different body is refused with IDEMPOTENCY_KEY_REUSED", async () => {
    await transfer("bob", 100, "k-2");
    const other = await transfer("bob", 200, "k-2");
    assert.equal(other.statusCode, 422);
    assert.equal(other.json().code, "IDEMPOTENCY_KEY_REUSED");
    assert.deepEqual(await pot("bob"), { total: 100, moves: 1 });
  });

  test("a missing or malformed key is a 400 and changes nothing", async () => {
    const missing = await transfer("carol", 100);
    assert.equal(missing.statusCode, 400);
    assert.match(String(missing.headers["content-type"]), /application\/problem\+json/);
    assert.match(missing.json().detail, /Idempotency-Key/);
    const tooLong = await transfer("carol", 100, "x".repeat(256));
    assert.equal(tooLong.statusCode, 400);
    assert.equal(await pot("carol"), undefined);
  });

  test("keys are scoped: another owner's identical key is a separate request", async () => {
    await transfer("dave", 10, "shared-key");
    const other = await transfer("erin", 10, "shared-key");
    assert.equal(other.statusCode, 201);
    assert.deepEqual(await pot("erin"), { total: 10, moves: 1 });
  });

  test("an expected failure is stored as the answer and replayed, with nothing moved", async () => {
    const first = await transfer("frank", 5_000, "k-3");
    const again = await transfer("frank", 5_000, "k-3");
    assert.equal(first.statusCode, 422);
    assert.equal(first.json().code, "INSUFFICIENT_BALANCE");
    assert.equal(again.statusCode, 422);
    assert.deepEqual(again.json(), first.json());
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(await pot("frank"), undefined);
  });

  test("while the first request is in flight a second one with the key gets 409", async () => {
    const request = {
      method: "POST",
      routeOptions: { url: "/pots/:owner/transfers" },
      params: { owner: "gina" },
      body: { amount: 50 },
    };
    // The first request has claimed the key and not yet committed its effect.
    const claim = await claimKey(db, schema, {
      scope: "gina",
      key: "k-4",
      requestHash: hashRequest(request as never),
    });
    assert.equal(claim.kind, "proceed");
    const second = await transfer("gina", 50, "k-4");
    assert.equal(second.statusCode, 409);
    assert.equal(second.json().code, "CONFLICT");
    assert.equal(await pot("gina"), undefined);
  });

  test("concurrent requests with one key move money once", async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => transfer("hana", 70, "k-5")));
    const statuses = answers.map((a) => a.statusCode);
    assert.ok(
      statuses.every((s) => s === 201 || s === 409),
      `statuses ${statuses}`,
    );
    assert.equal(answers.filter((a) => a.statusCode === 201 && !a.headers["idempotent-replayed"]).length, 1);
    assert.deepEqual(await pot("hana"), { total: 70, moves: 1 });
  });

  test("a key whose holder died before committing can be used again after its lease", async () => {
    const request = {
      method: "POST",
      routeOptions: { url: "/pots/:owner/transfers" },
      params: { owner: "ivan" },
      body: { amount: 20 },
    };
    await claimKey(db, schema, { scope: "ivan", key: "k-6", requestHash: hashRequest(request as never) });
    await db.query(
      `UPDATE ${schema}.idempotency_keys SET locked_until = now() - interval '1 second' WHERE key = 'k-6'`,
    );
    const retry = await transfer("ivan", 20, "k-6");
    assert.equal(retry.statusCode, 201);
    assert.deepEqual(await pot("ivan"), { total: 20, moves: 1 });
  });
});

describe("claims after a crash", () => {
  const request = (owner: string, amount: number) =>
    ({
      method: "POST",
      routeOptions: { url: "/pots/:owner/transfers" },
      params: { owner },
      body: { amount },
    }) as never;

  /** A claim as a process leaves it, with its heartbeat `aliveForMs` from now (negative: lapsed). */
  async function claimBy(holder: string, aliveForMs: number, owner: string, key: string, amount: number) {
    await db.query(
      `INSERT INTO ${schema}.process_heartbeats (holder, alive_until)
       VALUES ($1, now() + $2 * interval '1 millisecond')
       ON CONFLICT (holder) DO UPDATE SET alive_until = EXCLUDED.alive_until`,
      [holder, aliveForMs],
    );
    const claim = await claimKey(
      db,
      schema,
      { scope: owner, key, requestHash: hashRequest(request(owner, amount)) },
      holder,
    );
    assert.equal(claim.kind, "proceed");
  }

  test("item 16: a claim whose holder's heartbeat lapsed is taken over at once by a retry with the same body", async () => {
    await claimBy("crashed-process", -1_000, "jan", "k-7", 30);
    const other = await transfer("jan", 31, "k-7");
    assert.equal(other.statusCode, 422, "another body is still a different request");
    const retry = await transfer("jan", 30, "k-7");
    assert.equal(retry.statusCode, 201, retry.body);
    assert.deepEqual(await pot("jan"), { total: 30, moves: 1 });
    const again = await transfer("jan", 30, "k-7");
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.deepEqual(await pot("jan"), { total: 30, moves: 1 });
  });

  test("item 16: an effect whose claim was taken over while it stalled does not commit and records no answer", async () => {
    const res = await transfer("stalled", 300, "k-stalled");
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().code, "CONFLICT");
    assert.equal(await pot("stalled"), undefined, "the stalled request moved nothing");
    // Nothing was recorded as the key's answer: whoever holds the claim gives the one answer.
    const [claim] = await db.query<{ state: string }>(
      `SELECT state FROM ${schema}.idempotency_keys WHERE scope = 'stalled' AND key = 'k-stalled'`,
    );
    assert.equal(claim?.state, "IN_FLIGHT");
  });

  test("item 16: a claim whose holder is alive still gets 409 while in flight", async () => {
    await claimBy("live-process", 5_000, "kai", "k-8", 40);
    const retry = await transfer("kai", 40, "k-8");
    assert.equal(retry.statusCode, 409);
    assert.equal(retry.json().code, "CONFLICT");
    assert.equal(await pot("kai"), undefined);
  });
});

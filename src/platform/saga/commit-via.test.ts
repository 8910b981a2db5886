import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openTestDb } from "../../testing/db.js";
import type { Db, Queryable } from "../db/db.js";
import { migrate, platformMigrationsDir } from "../db/migrate.js";
import { type CommitVia, createSagaEngine, type SagaDefinition } from "./engine.js";
import { logger } from "./test-booking.js";

// A step may commit in a transaction of its choosing (money's group commit batch): the saga's
// advance, the step's writes and whatever that transaction holds commit together or not at all.

const schema = "saga_commit_via";
let db: Db;
before(async () => {
  db = await openTestDb();
  await migrate(db, { schema, dirs: [platformMigrationsDir] });
  await db.exec(`CREATE TABLE ${schema}.credits (saga_id TEXT PRIMARY KEY)`);
});
after(() => db.close());

interface Data {
  readonly n: number;
}

/** Runs `commit` in a transaction that also records a credit, the way a group batch posts first. */
const batchWith =
  (failAfter: () => boolean): ((sagaId: string) => CommitVia) =>
  (sagaId) =>
  async (commit) => {
    await db.tx(async (tx: Queryable) => {
      await tx.query(`INSERT INTO ${schema}.credits (saga_id) VALUES ($1)`, [sagaId]);
      await commit(tx);
      if (failAfter()) throw new Error("the batch's transaction did not commit");
    });
  };

function definition(via: (sagaId: string) => CommitVia): SagaDefinition<Data> {
  return {
    type: "credit-once",
    steps: [
      { name: "credit", action: async (data, ctx) => ({ kind: "next", data, commitVia: via(ctx.sagaId) }) },
    ],
  };
}

async function started(engine: ReturnType<typeof createSagaEngine>, id: string) {
  await db.tx((tx) => engine.start(tx, { id, type: "credit-once", data: { n: 1 }, correlationId: id }));
}

const credits = async (id: string) =>
  (await db.query(`SELECT saga_id FROM ${schema}.credits WHERE saga_id = $1`, [id])).length;

test("the step's commit runs in the given transaction: the saga completes with the credit, once", async () => {
  const engine = createSagaEngine({ db, schema, definitions: [definition(batchWith(() => false))], logger });
  await started(engine, "sag_ok");
  const view = await engine.run("sag_ok");
  assert.equal(view?.status, "COMPLETED");
  assert.deepEqual(
    view?.log.map((e) => `${e.step} ${e.outcome}`),
    ["credit done"],
  );
  assert.equal(await credits("sag_ok"), 1);
});

test("when that transaction fails, neither the credit nor the advance stands, and the step runs again", async () => {
  let failures = 1;
  const engine = createSagaEngine({
    db,
    schema,
    definitions: [definition(batchWith(() => failures-- > 0))],
    logger,
    retry: { baseMs: 1, maxMs: 5 },
  });
  await started(engine, "sag_retry");
  const first = await engine.run("sag_retry");
  assert.equal(first?.status, "RUNNING", "backing off after the failed commit");
  assert.equal(first?.attempts, 1);
  assert.equal(await credits("sag_retry"), 0, "the credit rolled back with the step");
  await new Promise((resolve) => setTimeout(resolve, 20));
  const again = await engine.run("sag_retry");
  assert.equal(again?.status, "COMPLETED");
  assert.equal(await credits("sag_retry"), 1);
});

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openTestDb } from "../../testing/db.js";
import type { Db } from "../db/db.js";
import type { SagaEngine } from "./engine.js";
import { type Booking, type BookingWorld, bookingWorld, sleep } from "./test-booking.js";

// A saga started reserved (by the request that will drive it) is run as it was inserted, with no
// claim to read it back: the lock token it was inserted with is its fence.

let db: Db;
let w: BookingWorld;
before(async () => {
  db = await openTestDb();
  w = await bookingWorld(db);
});
after(async () => {
  await w.stopAll();
  await db.close();
});

let n = 0;

/** A booking and its saga, reserved for `engine`, in one transaction that `fail` rolls back. */
async function bookReserved(engine: SagaEngine, fail = false): Promise<string> {
  const id = `res_${++n}`;
  const data: Booking = { bookingId: `bkg_${id}`, showId: `show_${id}`, amount: 12_000 };
  const booked = db.tx(async (tx) => {
    await tx.query(`INSERT INTO ${w.schema}.shows (id, seats_left) VALUES ($1, 5)`, [data.showId]);
    await tx.query(`INSERT INTO ${w.schema}.bookings (id, show_id, status) VALUES ($1, $2, 'PENDING')`, [
      data.bookingId,
      data.showId,
    ]);
    await engine.start(tx, { id, type: "booking", data, correlationId: id }, { reserve: true });
    if (fail) throw new Error("the request's check failed after the saga was written");
  });
  if (fail) await assert.rejects(booked);
  else await booked;
  return id;
}

const history = async (engine: SagaEngine, id: string) =>
  (await engine.get(id))?.log.map((e) => `${e.seq} ${e.step} ${e.outcome}`);

test("the starter drives its reserved saga to the end, every step logged in order", async () => {
  const engine = w.engine();
  const calls = w.cards.calls;
  const id = await bookReserved(engine);
  assert.equal(await engine.drive(id), "COMPLETED");
  assert.deepEqual(await history(engine, id), [
    "1 reserve-seat done",
    "2 charge-card done",
    "3 confirm done",
  ]);
  assert.equal(w.cards.calls, calls + 1, "the card was charged once");
  assert.equal(await engine.drive(id), undefined, "a finished saga is not run again");
});

test("a reservation whose transaction rolled back runs nothing", async () => {
  const engine = w.engine();
  const calls = w.cards.calls;
  const id = await bookReserved(engine, true);
  assert.equal(await engine.drive(id), undefined);
  assert.equal(await engine.get(id), undefined, "no saga was stored");
  assert.equal(w.cards.calls, calls, "no card was charged");
});

test("once the worker took over a reservation that ran out, the starter cannot run it again", async () => {
  const starter = w.engine({ leaseMs: 50 });
  const calls = w.cards.calls;
  const id = await bookReserved(starter);
  await sleep(80);
  const worker = w.engine();
  assert.equal(await worker.runDue(), 1, "the worker took the saga whose starter seemed dead");
  assert.equal((await worker.get(id))?.status, "COMPLETED");
  assert.equal(await starter.drive(id), undefined);
  assert.equal(w.cards.calls, calls + 1, "the card was charged once");
});

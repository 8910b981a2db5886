// A toy business saga for the engine's tests: book a seat for a show and pay for it by card.
// reserve seat (DB) -> charge card (an external service, idempotent on a request id) -> confirm (DB).
import { randomUUID } from "node:crypto";
import type { Db, Queryable } from "../db/db.js";
import { migrate, platformMigrationsDir } from "../db/migrate.js";
import { createLogger } from "../logging.js";
import { recordEvents } from "../outbox.js";
import {
  createSagaEngine,
  type SagaDefinition,
  type SagaEngine,
  type SagaEngineOptions,
  type SagaView,
  SimulatedCrash,
} from "./engine.js";

export const logger = createLogger(process.env.MYPAY_LOG_LEVEL ?? "silent", "saga-test");

export interface Booking {
  readonly bookingId: string;
  readonly showId: string;
  readonly amount: number;
  readonly chargeRequestId?: string;
}

type Answer = "ok" | "declined" | "timeout";

/**
 * The card company: it de-duplicates on the request id, so a repeated charge returns the first
 * answer. A timeout applies the charge but loses the reply, the worst case for the caller.
 */
export class CardService {
  readonly charges = new Map<string, { amount: number; declined: boolean; refunded: boolean }>();
  decision: "ok" | "declined" = "ok";
  /** Calls that time out (charge or refund applied, reply lost) before replies get through. */
  timeouts = 0;
  /** Calls that fail before reaching the service (connection refused). */
  outages = 0;
  delayMs = 0;
  calls = 0;

  async charge(requestId: string, amount: number): Promise<Answer> {
    await this.enter();
    const known = this.charges.get(requestId);
    const charge = known ?? { amount, declined: this.decision === "declined", refunded: false };
    this.charges.set(requestId, charge);
    return this.reply(charge.declined ? "declined" : "ok");
  }

  async refund(requestId: string): Promise<Answer> {
    await this.enter();
    const charge = this.charges.get(requestId);
    if (charge) charge.refunded = true;
    return this.reply("ok");
  }

  /** Money kept for a request: its amount if charged and not refunded. */
  kept(requestId: string | undefined): number {
    const c = requestId === undefined ? undefined : this.charges.get(requestId);
    return c && !c.declined && !c.refunded ? c.amount : 0;
  }

  private async enter(): Promise<void> {
    this.calls++;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.outages > 0) {
      this.outages--;
      throw new Error("connect ECONNREFUSED card service");
    }
  }

  private reply(answer: Answer): Answer {
    if (this.timeouts === 0) return answer;
    this.timeouts--;
    return "timeout";
  }
}

async function setStatus(tx: Queryable, schema: string, id: string, status: string, reason?: string) {
  await tx.query(`UPDATE ${schema}.bookings SET status = $2, reason = coalesce($3, reason) WHERE id = $1`, [
    id,
    status,
    reason ?? null,
  ]);
}

export function bookingSaga(schema: string, cards: CardService): SagaDefinition<Booking> {
  return {
    type: "booking",
    steps: [
      {
        name: "reserve-seat",
        // The charge's request id is committed with the seat, before the card service is ever called.
        action: async (data) => ({
          kind: "next",
          data: { ...data, chargeRequestId: randomUUID() },
          effect: async (tx, d) => {
            const held = await tx.query(
              `UPDATE ${schema}.shows SET seats_left = seats_left - 1 WHERE id = $1 AND seats_left > 0 RETURNING id`,
              [d.showId],
            );
            if (held.length === 0) return { fail: "SOLD_OUT" };
            await setStatus(tx, schema, d.bookingId, "SEAT_HELD");
          },
        }),
        compensate: async () => ({
          kind: "done",
          effect: async (tx, d) => {
            await tx.query(`UPDATE ${schema}.shows SET seats_left = seats_left + 1 WHERE id = $1`, [
              d.showId,
            ]);
          },
        }),
      },
      {
        name: "charge-card",
        action: async (data) => {
          const answer = await cards.charge(data.chargeRequestId!, data.amount);
          if (answer === "timeout") return { kind: "wait", retryInMs: 60_000 };
          if (answer === "declined") return { kind: "fail", reason: "CARD_DECLINED" };
          return { kind: "next", effect: (tx, d) => setStatus(tx, schema, d.bookingId, "PAID") };
        },
        compensate: async (data) => {
          const answer = await cards.refund(data.chargeRequestId!);
          if (answer === "timeout") return { kind: "wait", retryInMs: 60_000 };
          return { kind: "done", effect: (tx, d) => setStatus(tx, schema, d.bookingId, "REFUNDED") };
        },
      },
      {
        name: "confirm",
        action: async () => ({
          kind: "next",
          effect: async (tx, d) => {
            const confirmed = await tx.query(
              `UPDATE ${schema}.bookings SET status = 'CONFIRMED' WHERE id = $1
                 AND NOT EXISTS (SELECT 1 FROM ${schema}.shows WHERE id = $2 AND cancelled) RETURNING id`,
              [d.bookingId, d.showId],
            );
            if (confirmed.length === 0) return { fail: "SHOW_CANCELLED" };
          },
        }),
      },
    ],
    async onCompleted(tx, data, ctx) {
      await recordEvents(
        tx,
        schema,
        [{ type: "BookingConfirmed", data: { bookingId: data.bookingId } }],
        ctx,
      );
    },
    async onCompensated(tx, data, reason, ctx) {
      await setStatus(tx, schema, data.bookingId, "CANCELLED", reason);
      await recordEvents(
        tx,
        schema,
        [{ type: "BookingCancelled", data: { bookingId: data.bookingId, reason } }],
        ctx,
      );
    },
  };
}

let schemas = 0;

/** A schema of its own with shows and bookings, a card service, and engines stopped after the test. */
export async function bookingWorld(db: Db) {
  const schema = `saga_${process.pid}_${++schemas}`;
  await migrate(db, { schema, dirs: [platformMigrationsDir] });
  await db.exec(`
    CREATE TABLE ${schema}.shows (id TEXT PRIMARY KEY, seats_left INTEGER NOT NULL CHECK (seats_left >= 0),
                                  cancelled BOOLEAN NOT NULL DEFAULT false);
    CREATE TABLE ${schema}.bookings (id TEXT PRIMARY KEY, show_id TEXT NOT NULL, status TEXT NOT NULL, reason TEXT)`);
  const cards = new CardService();
  const saga = bookingSaga(schema, cards);
  const engines: { stop(): Promise<void> }[] = [];
  let bookings = 0;

  function engine(options: Partial<SagaEngineOptions> = {}) {
    const e = createSagaEngine({
      db,
      schema,
      definitions: [saga],
      logger,
      pollMs: 10,
      leaseMs: 2_000,
      ...options,
    });
    engines.push(e);
    return e;
  }

  /** A show with `seats` left and a booking for it whose saga is started in the booking's transaction. */
  async function book(seats = 5, cancelled = false): Promise<string> {
    const n = ++bookings;
    const data: Booking = { bookingId: `bkg_${n}`, showId: `show_${n}`, amount: 12_000 };
    await db.tx(async (tx) => {
      await tx.query(`INSERT INTO ${schema}.shows (id, seats_left, cancelled) VALUES ($1, $2, $3)`, [
        data.showId,
        seats,
        cancelled,
      ]);
      await tx.query(`INSERT INTO ${schema}.bookings (id, show_id, status) VALUES ($1, $2, 'PENDING')`, [
        data.bookingId,
        data.showId,
      ]);
      await engine().start(tx, { id: `sag_${n}`, type: "booking", data, correlationId: `req_${n}` });
    });
    return `sag_${n}`;
  }

  /** What a user would see: the booking, the seats left, the money kept and the events told. */
  async function facts(sagaId: string) {
    const n = sagaId.slice("sag_".length);
    const [booking] = await db.query<{ status: string; reason: string | null; seats_left: number }>(
      `SELECT b.status, b.reason, s.seats_left FROM ${schema}.bookings b JOIN ${schema}.shows s ON s.id = b.show_id
       WHERE b.id = $1`,
      [`bkg_${n}`],
    );
    const events = await db.query<{ type: string }>(
      `SELECT type FROM ${schema}.outbox WHERE correlation_id = $1 ORDER BY seq`,
      [`req_${n}`],
    );
    const [saga] = await db.query<{ data: Booking }>(`SELECT data FROM ${schema}.sagas WHERE id = $1`, [
      sagaId,
    ]);
    return { ...booking!, kept: cards.kept(saga?.data.chargeRequestId), events: events.map((e) => e.type) };
  }

  const stopAll = () => Promise.all(engines.map((e) => e.stop()));
  return { schema, cards, engine, book, facts, stopAll };
}

export type BookingWorld = Awaited<ReturnType<typeof bookingWorld>>;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// STUCK is where a run stops: only staff's retry moves it on.
const terminal = new Set(["COMPLETED", "COMPENSATED", "STUCK"]);

/**
 * Runs the saga with `next()`'s engine until it is over, like a fleet of processes that crash (a new
 * engine takes over once the dead one's lease runs out) and get woken by the card company's answers.
 */
export async function runToEnd(
  id: string,
  next: () => SagaEngine,
  leaseWaitMs = 25,
): Promise<SagaView<Booking>> {
  let engine = next();
  for (let round = 0; round < 100; round++) {
    try {
      const view = await engine.run<Booking>(id);
      if (!view) throw new Error(`no saga ${id}`);
      if (terminal.has(view.status)) return view;
      if (view.nextRunAt.getTime() > Date.now() + 1_000) await engine.wake(id);
      else await sleep(5);
    } catch (error) {
      if (!(error instanceof SimulatedCrash)) throw error;
      engine = next();
      await sleep(leaseWaitMs);
    }
  }
  throw new Error(`saga ${id} did not end`);
}

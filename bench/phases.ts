// The parts of one run, each measuring figures and their anchors and handing them to a Recorder.
// A part that throws leaves its targets SKIP with the reason, and the run goes on.
import type { Db } from "../src/platform/db/db.js";
import { openPglite } from "../src/platform/db/pglite.js";
import { openPostgres } from "../src/platform/db/postgres.js";
import {
  moneyMeAndHealth,
  paymentsHotAndSpread,
  rechargeAndBank,
  remittanceAtRate,
  remittanceLevels,
} from "./figures-http.js";
import { measureFootprint } from "./footprint.js";
import { benchLedger } from "./ledger.js";
import type { LoadResult } from "./load.js";
import { pgbenchTpcb, quiet, scratchDatabase } from "./pg.js";
import type { ExtraFigure } from "./report.js";
import { startBenchServer } from "./server-process.js";
import type { BenchSettings } from "./settings.js";
import { benchSettle } from "./settle.js";
import type { Measured } from "./targets.js";
import { benchFranchises, benchMembers, json } from "./world.js";

export class Recorder {
  readonly values = new Map<number, Measured>();
  readonly anchors = new Map<number, Measured>();
  readonly notes = new Map<number, string[]>();
  readonly figures: ExtraFigure[] = [];
  figure(id: number, m: Measured) {
    this.values.set(id, m);
  }
  anchor(id: number, m: Measured) {
    this.anchors.set(id, m);
  }
  note(id: number, text: string) {
    this.notes.set(id, [...(this.notes.get(id) ?? []), text]);
  }
  extra(what: string, value: Measured) {
    this.figures.push({ what, value });
  }
}

export type Engine = "pglite" | "postgres";

export interface RunContext {
  readonly s: BenchSettings;
  readonly rec: Recorder;
  /** The PostgreSQL server, when it answers. */
  readonly pgUrl: string | undefined;
  readonly profileDir: string | undefined;
}

const perSecond = (r: LoadResult, detail: string): Measured => ({
  value: r.rate,
  unit: "/s",
  detail: `${detail}, ${r.clients} clients, ${r.ok} ok${r.failed ? `, ${r.failed} FAILED (${r.firstFailure})` : ""} in ${r.seconds.toFixed(1)} s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, loader CPU ${r.loaderCpuPercent.toFixed(0)}% of a core`,
});

export async function pgbenchAnchor({ s, rec, pgUrl }: RunContext) {
  if (!pgUrl) return rec.note(1, "no PostgreSQL answering");
  const r = await pgbenchTpcb(pgUrl, { clients: 8, scale: 10, seconds: s.pgbenchSeconds });
  if (!r) return rec.note(1, "could not create pgbench's scratch database");
  rec.anchor(1, {
    value: r.tps,
    unit: "tps",
    detail: `pgbench -c ${r.clients} -j 2 -T ${r.seconds} -M prepared, scale ${r.scale}`,
  });
}

async function withDb<T>(engine: Engine, pgUrl: string | undefined, use: (db: Db) => Promise<T>) {
  if (engine === "pglite") {
    const db = await openPglite();
    try {
      return await use(db);
    } finally {
      await db.close();
    }
  }
  const scratch = await scratchDatabase(pgUrl!);
  if (!scratch) throw new Error("could not create a scratch database");
  const db = await openPostgres(scratch.url, { max: 10 });
  try {
    return await use(db);
  } finally {
    await db.close();
    await scratch.drop();
  }
}

/** The raw ledger: `post` one call each, and `postBatch`; PGlite's single-call rate is target 3's anchor. */
export async function ledgerFigures({ s, rec, pgUrl }: RunContext, engine: Engine) {
  const r = await withDb(engine, pgUrl, (db) => benchLedger(db, { transfers: s.ledgerTransfers }));
  const detail = (n: number, how: string) =>
    `${engine}${engine === "pglite" ? " in memory" : ""}, ${n} transfers among 100 members, ${how}`;
  const single: Measured = {
    value: r.single.opsPerSecond,
    unit: "/s",
    detail: detail(r.single.transfers, `one post call each, ${engine === "postgres" ? 8 : 1} in flight`),
  };
  rec.extra(`ledger transfer, one call each, ${engine}`, single);
  rec.extra(`ledger transfer, batches of ${r.batch.batchSize}, ${engine}`, {
    value: r.batch.opsPerSecond,
    unit: "/s",
    detail: detail(r.batch.transfers, "postBatch"),
  });
  if (engine === "pglite") rec.anchor(3, single);
}

/**
 * One bench server on `engine`: the remittance levels, and (on the main engine: PostgreSQL when it
 * answers) payments, recharge, the authenticated read and the paced remittance with their anchors.
 */
export async function serverFigures(ctx: RunContext, engine: Engine, main: boolean) {
  const { s, rec } = ctx;
  const scratch = engine === "postgres" ? await scratchDatabase(ctx.pgUrl!) : undefined;
  if (engine === "postgres" && !scratch) throw new Error("could not create a scratch database");
  const server = await startBenchServer({
    ...(scratch ? { databaseUrl: scratch.url } : {}),
    ...(ctx.profileDir ? { profileDir: ctx.profileDir } : {}),
  });
  const label = engine === "postgres" ? "PostgreSQL" : "embedded PGlite in memory";
  try {
    const members = await benchMembers(server, s.members, { money: 1_000_000 });
    const remit = await remittanceLevels(server, members, s.levels, s);
    for (const level of remit.levels)
      rec.extra(`remittance via HTTP, ${engine}, ${level.clients} clients`, perSecond(level, label));
    const remitId = engine === "postgres" ? 1 : 3;
    rec.figure(
      remitId,
      perSecond(remit.best, `${label}, ${s.members} members, best of ${s.levels.join("/")} clients`),
    );
    if (!main) return;
    // Each load after the first starts once the last one's background work is done (PostgreSQL).
    const settle = scratch ? () => quiet(scratch.url) : async () => {};
    await settle();
    await pacedRemittance(ctx, server, members, remit.best, label);
    await mainEngineLoads(ctx, server, members, label, settle);
  } finally {
    await server.stop();
    await scratch?.drop();
  }
}

async function pacedRemittance(
  { s, rec }: RunContext,
  server: { base: string; bank: string },
  members: Awaited<ReturnType<typeof benchMembers>>,
  peak: LoadResult,
  label: string,
) {
  const rate = Math.max(1, Math.round(peak.rate / 2));
  const maxConnections = Math.max(...s.levels);
  const r = await remittanceAtRate(server, members, rate, { seconds: s.pacedSeconds, maxConnections });
  rec.figure(6, {
    value: r.p99Ms,
    unit: "ms",
    detail: `${label}, ${r.sent} remittances sent at ${rate}/s (half the peak ${peak.rate.toFixed(0)}/s) for ${s.pacedSeconds} s over ≤ ${maxConnections} connections, ${r.ok} ok, ${r.failed} failed, p50 ${r.p50Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(0)} ms`,
  });
}

async function mainEngineLoads(
  { s, rec }: RunContext,
  server: { base: string; bank: string },
  members: Awaited<ReturnType<typeof benchMembers>>,
  label: string,
  settle: () => Promise<void>,
) {
  const franchises = await benchFranchises(server, s.franchises);
  await settle();
  const pay = await paymentsHotAndSpread(server, members, franchises, s.clients, s);
  rec.figure(2, perSecond(pay.hot, `${label}, all to one franchise`));
  rec.anchor(2, perSecond(pay.spread, `${label}, spread over ${s.franchises} franchises`));

  const sink = await json("POST", `${server.bank}/accounts`, { bankCode: "004", holderName: "Bench Sink" });
  await settle();
  const recharge = await rechargeAndBank(server, members, sink.accountNumber as string, s.clients, s);
  rec.figure(4, perSecond(recharge.recharge, `${label}, 10,000 won each`));
  rec.anchor(4, perSecond(recharge.bank, "the sandbox bank of the same process, into one account"));

  await settle();
  const reads = await moneyMeAndHealth(server, members, s.clients, s);
  rec.figure(5, perSecond(reads.me, `${label}, ${members.length} members' tokens in turn`));
  rec.anchor(5, perSecond(reads.health, label));
}

/** Settling on PostgreSQL (target 7); on PGlite only as a figure, when PostgreSQL is not there or in a full run. */
export async function settleFigures({ s, rec, pgUrl }: RunContext, engine: Engine) {
  const r = await withDb(engine, pgUrl, (db) =>
    benchSettle(db, {
      payments: s.settlePayments,
      franchises: s.settleFranchises,
      timeoutSeconds: s.settleTimeoutSeconds,
    }),
  );
  if (r.paidAtBank !== r.net)
    throw new Error(`settlement paid ${r.paidAtBank} at the bank, expected ${r.net}`);
  const what = `${engine}, ${r.payments.toLocaleString("en")} payments over ${r.franchises.toLocaleString("en")} franchises`;
  const value: Measured = {
    value: r.seconds,
    unit: "s",
    detail: `${what}, one run with ${r.franchises.toLocaleString("en")} payouts through the sandbox bank, net ${r.net.toLocaleString("en")} won paid`,
  };
  const anchor: Measured = {
    value: r.anchorSeconds,
    unit: "s",
    detail: `${what}, copy of the slips with their indexes`,
  };
  if (engine === "postgres") {
    rec.figure(7, value);
    rec.anchor(7, anchor);
  } else {
    rec.extra("settle one run, pglite", value);
    rec.extra("raw SQL aggregate + update, pglite", anchor);
  }
}

export async function footprintFigures({ s, rec, pgUrl }: RunContext) {
  const f = await measureFootprint({ runs: s.startRuns, ...(pgUrl ? { postgresUrl: pgUrl } : {}) });
  const median = s.startRuns > 1 ? `median of ${s.startRuns}` : "one run";
  rec.figure(8, { value: f.startToReadyMs, unit: "ms", detail: `npm start, fresh data dir, ${median}` });
  rec.anchor(8, {
    value: f.anchor.pgliteCreateMs,
    unit: "ms",
    detail: `PGlite.create on a fresh dir in its own process, ${median}`,
  });
  rec.figure(9, {
    value: f.idleRssMb,
    unit: "MB",
    detail: `npm start's process group 5 s after /ready, ${median}`,
  });
  rec.anchor(9, {
    value: f.anchor.pgliteRssMb,
    unit: "MB",
    detail: "that PGlite's process 5 s after create",
  });
  if (f.postgres) {
    rec.figure(10, {
      value: f.postgres.idleRssMb,
      unit: "MB",
      detail: `node scripts/start.mjs main (dist/, sandbox bank in process) on a scratch database, 5 s after /ready (${f.postgres.startToReadyMs} ms to /ready), ${median}`,
    });
  } else rec.note(10, "no PostgreSQL answering");
}

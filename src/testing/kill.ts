import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Books, checkBooks, finish } from "./kill-books.js";
import { changedAnswers, type KeyRecord } from "./kill-client.js";
import { runLoad } from "./kill-load.js";
import { entryArgs, freshDatabase, type Service, startService, stop } from "./kill-procs.js";
import { faults, login, newMembers, planOf } from "./kill-setup.js";
import { freePort } from "./ports.js";
import { seededRandom } from "./random.js";

/**
 * The kill test (`npm run chaos -- --kill`): the sandbox bank and mypay as processes of their own,
 * clients moving money over HTTP against a bank that fails and drops answers, mypay SIGKILLed every
 * 2–6 s and started again on the same data; then the books are checked against the bank.
 */

export interface KillOptions {
  readonly engine: "pglite" | "postgres";
  /** The PostgreSQL server on which a fresh database is created (engine postgres). */
  readonly databaseServerUrl?: string;
  readonly members: number;
  readonly operations: number;
  readonly concurrency?: number;
  /** At least this many kills during the load. */
  readonly kills: number;
  /** At most this many (default: as many as fall while the load lasts). */
  readonly maxKills?: number;
  /** mypay is killed a random time in [min, max) ms after each start (default 2–6 s). */
  readonly killAfterMs?: readonly [number, number];
  readonly seed: number;
  readonly failureRate?: number;
  readonly timeoutRate?: number;
  /** Keep the data and logs folder even when every check holds. */
  readonly keepFiles?: boolean;
  /** Told how the run goes (the CLI prints it). */
  readonly progress?: (line: string) => void;
}

export interface KillReport extends Books {
  readonly engine: string;
  /** How mypay ran: compiled JavaScript from dist/, or TypeScript through tsx (dist/ absent or stale). */
  readonly runtime: "dist" | "tsx";
  readonly seed: number;
  readonly members: number;
  readonly operations: number;
  readonly kills: number;
  readonly restarts: number;
  readonly restartSeconds: { readonly median: number; readonly max: number };
  /** Requests sent again with a key already sent. */
  readonly retries: number;
  readonly retriedKeys: number;
  /** Keys refused as "still in flight" during the load, asked again in the background. */
  readonly parkedKeys: number;
  /** What clients got that was not an answer (dropped connections, 409 in flight, 503s), by kind. */
  readonly seen: Record<string, number>;
  /** The first answer of each key. */
  readonly answers: Record<string, number>;
  /** The longest time from a key's first send to its first answer. */
  readonly longestWaitSeconds: number;
  readonly aborted: string | undefined;
  readonly ok: boolean;
  readonly seconds: number;
  readonly phases: Record<string, number>;
  /** Where the data and logs are (kept when a check failed). */
  readonly files: string;
}

export const startingBankBalance = 5_000_000;
export const killAdminPassword = "kill-test-admin-password";

export async function runKillTest(o: KillOptions): Promise<KillReport> {
  const began = Date.now();
  const files = mkdtempSync(join(tmpdir(), "mypay-kill-"));
  const rand = seededRandom(o.seed);
  const progress = o.progress ?? (() => {});
  const [bankPort, port] = [await freePort(), await freePort()];
  const db = o.engine === "postgres" ? await freshDatabase(o.databaseServerUrl ?? defaultServer) : undefined;
  const env = {
    MYPAY_PORT: String(port),
    MYPAY_BANK_PORT: "0",
    MYPAY_BANK_URL: `http://127.0.0.1:${bankPort}`,
    MYPAY_DATA_DIR: join(files, "mypay"),
    ...(db ? { MYPAY_DATABASE_URL: db.url } : {}),
    MYPAY_ADMIN_PASSWORD: killAdminPassword,
    MYPAY_BANK_TIMEOUT_MS: "1500",
    MYPAY_ACCESS_TOKEN_TTL: "3600",
    MYPAY_LOG_LEVEL: "warn",
  };
  const start = () => startService("main", port, env, join(files, "mypay.log"), "/ready", 90_000);
  let mypay: Service | undefined;
  let bank: Service | undefined;
  let ok = false;
  try {
    // Side by side: mypay sets up its corporate account at the bank in the background once it answers.
    const started = await Promise.allSettled([startBank(bankPort, files), start()]);
    if (started[0].status === "fulfilled") bank = started[0].value;
    if (started[1].status === "fulfilled") mypay = started[1].value;
    if (!bank || !mypay) throw started.find((s) => s.status === "rejected")?.reason;
    progress(`bank and mypay ready in ${Date.now() - began} ms (files in ${files})`);
    const killing = { mypay, start, kills: 0, restarts: 0, restartMs: [] as number[] };
    const base = mypay.url;
    const staff = await login(base, "admin@mypay.local", killAdminPassword);
    const members = await newMembers(base, bank.url, o.members, startingBankBalance);
    const plan = planOf(o, rand);
    const setUp = Date.now();
    progress(`${o.members} members set up; load begins`);
    await faults(bank.url, {
      failureRate: o.failureRate ?? 0.2,
      timeoutRate: o.timeoutRate ?? 0.2,
      timeoutHoldMs: 50,
    });
    const load = await runLoad(
      {
        plan,
        tokens: members.map((m) => m.token),
        concurrency: o.concurrency ?? 8,
        minKills: o.kills,
        maxKills: o.maxKills,
        killAfterMs: o.killAfterMs ?? [2_000, 6_000],
        retryRate: 0.3,
        rand,
        baseUrl: base,
        finishMs: 90_000,
        deadline: Date.now() + 120_000 + o.operations * 1_000 + o.kills * 30_000,
        progress,
      },
      killing,
    ).finally(() => {
      mypay = killing.mypay;
    });
    const loaded = Date.now();
    await faults(bank.url, {});
    const retries = plan.reduce((n, r) => n + r.sends - 1, 0);
    const retriedKeys = plan.filter((r) => r.sends > 1).length;
    const moves = await finish({ base, staff, plan, members, seen: load.seen, settleMs: 120_000 });
    progress(`${moves.length} moves followed to their end; checking the books`);
    const books = await checkBooks({ base, bankUrl: bank.url, staff, members, moves, startingBankBalance });
    const unanswered = plan.filter((r) => r.answers.length === 0).map((r) => r.key);
    const violations = { ...books.violations, unanswered, changedAnswers: changedAnswers(plan) };
    const checks = {
      ...books.checks,
      everyKeyAnswered: unanswered.length === 0,
      oneAnswerPerKey: violations.changedAnswers.length === 0,
      everyKillRestarted: killing.restarts === killing.kills && killing.kills >= o.kills,
      notAborted: load.aborted === undefined,
    };
    ok = Object.values(checks).every(Boolean);
    const sorted = [...killing.restartMs].sort((a, b) => a - b);
    return {
      engine: o.engine,
      runtime: entryArgs("main")[0] === "--import" ? "tsx" : "dist",
      seed: o.seed,
      members: o.members,
      operations: o.operations,
      kills: killing.kills,
      restarts: killing.restarts,
      restartSeconds: {
        median: (sorted[Math.floor(sorted.length / 2)] ?? 0) / 1000,
        max: (sorted.at(-1) ?? 0) / 1000,
      },
      retries,
      retriedKeys,
      parkedKeys: load.parked,
      seen: load.seen,
      answers: firstAnswers(plan),
      longestWaitSeconds: Math.max(
        0,
        ...plan.map((r) => ((r.answeredAt ?? r.firstSentAt) - r.firstSentAt) / 1000),
      ),
      ...books,
      checks,
      violations,
      aborted: load.aborted,
      ok,
      seconds: (Date.now() - began) / 1000,
      phases: {
        setUpSeconds: (setUp - began) / 1000,
        loadSeconds: (loaded - setUp) / 1000,
        settleSeconds: (Date.now() - loaded) / 1000,
      },
      files,
    };
  } finally {
    if (mypay) await stop(mypay);
    if (bank) await stop(bank);
    await db?.drop();
    if (ok && !o.keepFiles) rmSync(files, { recursive: true, force: true });
  }
}

const defaultServer = "postgres://postgres@127.0.0.1:5432/postgres";

function startBank(port: number, files: string) {
  const env = { MYPAY_BANK_PORT: String(port), MYPAY_DATA_DIR: join(files, "bank"), MYPAY_LOG_LEVEL: "warn" };
  return startService("sandbox-bank/main", port, env, join(files, "bank.log"), "/faults", 90_000);
}

function firstAnswers(plan: readonly KeyRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of plan) {
    const a = r.answers[0];
    const label = a ? `${r.kind} ${a.status} ${statusOrCode(a.body)}` : `${r.kind} unanswered`;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

const statusOrCode = (body: string) => {
  const json = JSON.parse(body) as { status?: unknown; code?: string };
  return typeof json.status === "string" ? json.status : (json.code ?? "?");
};

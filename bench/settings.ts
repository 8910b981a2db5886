// The sizes of a run: the full one the issue's targets are judged on, and --quick (under two minutes:
// shorter loads, fewer client levels, fewer rows to settle, one start instead of three).
export interface BenchSettings {
  readonly mode: "quick" | "full";
  /** Seconds per measured load, after `warmup` uncounted seconds. */
  readonly seconds: number;
  readonly warmup: number;
  /** Turns a figure and its anchor on the same server take (bench/figures-http.ts inTurns). */
  readonly rounds: number;
  /** Client counts tried for remittance; the best is the figure. */
  readonly levels: readonly number[];
  /** Clients for every other load (and its anchor). */
  readonly clients: number;
  /** Members sending and paying; at least twice the largest level, so no two requests share a wallet. */
  readonly members: number;
  /** Franchises payments are spread over (against all to one). */
  readonly franchises: number;
  readonly pacedSeconds: number;
  readonly pgbenchSeconds: number;
  readonly ledgerTransfers: number;
  readonly settlePayments: number;
  readonly settleFranchises: number;
  /** How long the settlement run may take before its figure fails. */
  readonly settleTimeoutSeconds: number;
  readonly startRuns: number;
}

const full: BenchSettings = {
  mode: "full",
  seconds: 10,
  warmup: 2,
  rounds: 5,
  levels: [8, 32, 64],
  clients: 32,
  members: 128,
  franchises: 1_000,
  pacedSeconds: 20,
  pgbenchSeconds: 30,
  ledgerTransfers: 5_000,
  settlePayments: 1_000_000,
  settleFranchises: 10_000,
  settleTimeoutSeconds: 1_800,
  startRuns: 3,
};

const quick: BenchSettings = {
  mode: "quick",
  seconds: 3,
  warmup: 0.5,
  rounds: 3,
  levels: [16],
  clients: 16,
  members: 32,
  franchises: 200,
  pacedSeconds: 5,
  pgbenchSeconds: 5,
  ledgerTransfers: 500,
  settlePayments: 20_000,
  settleFranchises: 200,
  settleTimeoutSeconds: 60,
  startRuns: 1,
};

/** --quick, then any size overridden by name: --seconds 5, --levels 8,32, --settle-payments 100000... */
export function readSettings(argv: readonly string[]): BenchSettings {
  const base = argv.includes("--quick") ? quick : full;
  const out: Record<string, unknown> = { ...base };
  for (const key of Object.keys(base)) {
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const i = argv.indexOf(flag);
    if (i < 0 || key === "mode") continue;
    const raw = argv[i + 1] ?? "";
    out[key] = key === "levels" ? raw.split(",").map(Number) : Number(raw);
  }
  return out as unknown as BenchSettings;
}

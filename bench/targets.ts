// Issue 8's targets as data: each names its figure, its anchor (measured in the same run) and its rule;
// `judge` turns what was measured into a row with the ratio and PASS, FAIL or SKIP (not measured, e.g.
// no PostgreSQL answering: never counted as a pass).
export interface Measured {
  readonly value: number;
  readonly unit: string;
  /** Engine, counts, clients: how this number was made. */
  readonly detail: string;
}

type Rule =
  | { readonly kind: "at-least"; readonly times: number }
  | { readonly kind: "at-most"; readonly times: number }
  | { readonly kind: "limit"; readonly max: number; readonly unit: string };

export interface Target {
  readonly id: number;
  readonly figure: string;
  /** What the figure is compared with; absent for an absolute limit. */
  readonly anchor?: string;
  readonly rule: Rule;
}

export const targets: readonly Target[] = [
  {
    id: 1,
    figure: "member→member remittance via HTTP, PostgreSQL, best of the client levels",
    anchor: "pgbench TPC-B tps, same server, 8 clients, scale 10",
    rule: { kind: "at-least", times: 2 },
  },
  {
    id: 2,
    figure: "payments all to one franchise, HTTP",
    anchor: "the same spread over many franchises",
    rule: { kind: "at-least", times: 0.8 },
  },
  {
    id: 3,
    figure: "member→member remittance via HTTP, embedded, best of the client levels",
    anchor: "raw PGlite posting rate, one post call each, no HTTP",
    rule: { kind: "at-least", times: 1 },
  },
  {
    id: 4,
    figure: "recharge via HTTP, sandbox bank in process",
    anchor: "the sandbox bank's POST /transfers alone, same clients",
    rule: { kind: "at-least", times: 0.5 },
  },
  {
    id: 5,
    figure: "authenticated GET /v1/money/me",
    anchor: "GET /health, same server and clients",
    rule: { kind: "at-least", times: 0.4 },
  },
  {
    id: 6,
    figure: "p99 latency of remittance at half its peak rate (open loop)",
    rule: { kind: "limit", max: 50, unit: "ms" },
  },
  {
    id: 7,
    figure: "settling the seeded payments in one run, PostgreSQL",
    anchor: "one raw SQL aggregate + update over a copy of the same rows",
    rule: { kind: "at-most", times: 1.5 },
  },
  {
    id: 8,
    figure: "first start to /ready, embedded, fresh data dir",
    anchor: "one bare PGlite create",
    rule: { kind: "at-most", times: 1.5 },
  },
  {
    id: 9,
    figure: "idle RSS, embedded, npm start's whole process group",
    anchor: "one bare PGlite instance",
    rule: { kind: "at-most", times: 1.25 },
  },
  {
    id: 10,
    figure: "idle RSS of a mypay process on PostgreSQL",
    rule: { kind: "limit", max: 150, unit: "MB" },
  },
  {
    id: 11,
    figure: "the web wallet on screen (login form), Chromium, cold cache (issue 10)",
    rule: { kind: "limit", max: 1000, unit: "ms" },
  },
  {
    id: 12,
    figure: "JavaScript of the web app's first page, gzipped (issue 10)",
    rule: { kind: "limit", max: 150, unit: "KB" },
  },
];

export interface TargetRow {
  readonly id: number;
  readonly figure: string;
  readonly value?: Measured;
  readonly anchorName?: string;
  readonly anchor?: Measured;
  readonly ratio?: number;
  readonly target: string;
  readonly verdict: "PASS" | "FAIL" | "SKIP";
  readonly note?: string;
}

export function ruleText(r: Rule): string {
  if (r.kind === "at-least") return `≥ ${r.times}× anchor`;
  if (r.kind === "at-most") return `≤ ${r.times}× anchor`;
  return `≤ ${r.max} ${r.unit}`;
}

export function judge(t: Target, value?: Measured, anchor?: Measured, note?: string): TargetRow {
  const base = {
    id: t.id,
    figure: t.figure,
    target: ruleText(t.rule),
    ...(t.anchor ? { anchorName: t.anchor } : {}),
  };
  const withNote = note ? { note } : {};
  if (!value || (t.rule.kind !== "limit" && !anchor)) return { ...base, verdict: "SKIP", ...withNote };
  if (t.rule.kind === "limit") {
    return { ...base, value, verdict: value.value <= t.rule.max ? "PASS" : "FAIL", ...withNote };
  }
  const ratio = value.value / anchor!.value;
  const pass = t.rule.kind === "at-least" ? ratio >= t.rule.times : ratio <= t.rule.times;
  return { ...base, value, anchor: anchor!, ratio, verdict: pass ? "PASS" : "FAIL", ...withNote };
}

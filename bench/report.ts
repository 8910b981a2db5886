// The run's results: a table on the terminal, bench/results/latest.json (everything, for tools) and
// bench/results/latest.md (the same table in markdown, for an issue or a closing note).
import { mkdirSync, writeFileSync } from "node:fs";
import type { Measured, TargetRow } from "./targets.js";

/** A figure measured for information, with no target (the ledger's raw rates, each client level...). */
export interface ExtraFigure {
  readonly what: string;
  readonly value: Measured;
}

export interface BenchReport {
  readonly mode: "quick" | "full";
  readonly startedAt: string;
  readonly wallSeconds: number;
  readonly machine: Record<string, unknown>;
  readonly settings: Record<string, unknown>;
  /** Each part of the run: how long it took, and whether it ran through. */
  readonly parts: readonly { name: string; seconds: number; ok: boolean }[];
  readonly targets: readonly TargetRow[];
  readonly figures: readonly ExtraFigure[];
}

export function formatValue(m: Measured | undefined): string {
  if (!m) return "—";
  const digits = m.value >= 100 ? 0 : m.value >= 10 ? 1 : 2;
  return `${m.value.toLocaleString("en", { maximumFractionDigits: digits })} ${m.unit}`;
}

const ratioText = (r: TargetRow) => (r.ratio === undefined ? "—" : `${r.ratio.toFixed(2)}×`);

function markdown(report: BenchReport): string {
  const cell = (s: string) => s.replaceAll("|", "\\|");
  const lines = [
    `# npm run bench${report.mode === "quick" ? " -- --quick" : ""}: ${report.startedAt}`,
    "",
    `Wall time ${report.wallSeconds.toFixed(0)} s. Machine: ${cell(JSON.stringify(report.machine))}.`,
    `Settings: ${cell(JSON.stringify(report.settings))}.`,
    `Parts: ${report.parts.map((p) => `${p.name} ${p.seconds} s${p.ok ? "" : " (failed)"}`).join(", ")}.`,
    "",
    "| # | figure | value | anchor | anchor value | ratio | target | result | how |",
    "|---|---|---|---|---|---|---|---|---|",
    ...report.targets.map(
      (r) =>
        `| ${r.id} | ${cell(r.figure)} | ${formatValue(r.value)} | ${cell(r.anchorName ?? "—")} | ${formatValue(r.anchor)} | ${ratioText(r)} | ${r.target} | **${r.verdict}** | ${cell([r.value?.detail, r.anchor?.detail, r.note].filter(Boolean).join("; "))} |`,
    ),
    "",
    "Figures without a target:",
    "",
    "| figure | value | how |",
    "|---|---|---|",
    ...report.figures.map((f) => `| ${cell(f.what)} | ${formatValue(f.value)} | ${cell(f.value.detail)} |`),
    "",
  ];
  return lines.join("\n");
}

export function printReport(report: BenchReport): void {
  console.log("\nFigures without a target:");
  console.table(
    report.figures.map((f) => ({ figure: f.what, value: formatValue(f.value), how: f.value.detail })),
  );
  console.log("\nTargets:");
  console.table(
    report.targets.map((r) => ({
      "#": r.id,
      figure: r.figure,
      value: formatValue(r.value),
      anchor: formatValue(r.anchor),
      ratio: ratioText(r),
      target: r.target,
      result: r.verdict,
    })),
  );
  for (const r of report.targets) {
    const how = [r.value?.detail, r.anchor && `anchor: ${r.anchor.detail}`, r.note]
      .filter(Boolean)
      .join("; ");
    console.log(`${r.id}. ${r.verdict} ${how}`);
  }
  console.log(
    `\nParts: ${report.parts.map((p) => `${p.name} ${p.seconds} s${p.ok ? "" : " (failed)"}`).join(", ")}`,
  );
  const passed = report.targets.filter((r) => r.verdict === "PASS").length;
  console.log(
    `\n${passed} of ${report.targets.length} targets PASS; wall time ${report.wallSeconds.toFixed(0)} s`,
  );
}

export function writeReport(report: BenchReport, dir: URL): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL("latest.json", dir), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(new URL("latest.md", dir), markdown(report));
}

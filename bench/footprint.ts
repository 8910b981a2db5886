// Start time and idle memory, measured by scripts/measure-start.mjs in processes of their own (so the
// bench's own memory and event loop are not in the figures).
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Footprint {
  /** `npm start`, embedded, fresh data folder: spawn to the first 200 of /ready. */
  readonly startToReadyMs: number;
  /** RSS of `npm start`'s whole process group 5 s after /ready. */
  readonly idleRssMb: number;
  readonly anchor: { readonly pgliteCreateMs: number; readonly pgliteRssMb: number };
  readonly postgres?: { readonly startToReadyMs: number; readonly idleRssMb: number };
  readonly runs: number;
}

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function measureFootprint(o: { runs: number; postgresUrl?: string }): Promise<Footprint> {
  const args = [
    "scripts/measure-start.mjs",
    "--runs",
    String(o.runs),
    "--port",
    String(await freePort()),
    "--bank-port",
    String(await freePort()),
    ...(o.postgresUrl ? ["--postgres-url", o.postgresUrl] : []),
  ];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 20 });
  const lines = stdout.trim().split("\n");
  return { ...(JSON.parse(lines[lines.length - 1]!) as Omit<Footprint, "runs">), runs: o.runs };
}

// `npm start` and `npm run bank`: runs an entry point's compiled JavaScript in this very process, after
// rebuilding dist/ if a source is newer. npm's script line is `exec node scripts/start.mjs <entry>`,
// so no shell sits between npm and mypay: npm forwards SIGTERM/SIGINT straight to this process, whose
// graceful stop exits 0, and npm exits with that code (issue 6, item 18).
// Usage: node scripts/start.mjs main | sandbox-bank/main
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildIfStale, distDir } from "./build.mjs";
import { buildWebIfStale } from "./build-web.mjs";

const entries = ["main", "sandbox-bank/main"];
const entry = process.argv[2] ?? "main";
if (!entries.includes(entry)) {
  console.error(`mypay: unknown entry point "${entry}"; known: ${entries.join(", ")}`);
  process.exit(1);
}

try {
  const why = buildIfStale();
  if (why) console.error(`mypay: rebuilt dist/ (${why})`);
  if (entry === "main") {
    const web = buildWebIfStale();
    if (web) console.error(`mypay: rebuilt web/dist (${web})`);
  }
} catch (error) {
  console.error(`mypay: could not build: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
process.setSourceMapsEnabled(true);
await import(pathToFileURL(join(distDir, `${entry}.js`)).href);

// The server under load, in a process of its own so that it does not share an event loop (or a CPU
// core's time slices) with the load generator: mypay and the sandbox bank in one process, as
// `npm start` runs them. The database is PostgreSQL at BENCH_DATABASE_URL, or else PGlite in memory
// (the same engine as the raw ledger anchor). Logs at `info` as in production (the parent sends stdout
// to /dev/null). Tells the parent its URLs over IPC, then runs until SIGTERM.
// Started by bench/server-process.ts as `node --import tsx bench/server.ts`.
import { createMypay } from "../src/app.js";
import { loadConfig } from "../src/platform/config.js";
import { openPglite } from "../src/platform/db/pglite.js";
import { createLogger } from "../src/platform/logging.js";
import { startSandboxBank } from "../src/sandbox-bank/api.js";

const databaseUrl = process.env.BENCH_DATABASE_URL || undefined;
const logger = createLogger(process.env.MYPAY_LOG_LEVEL || "info");
const bank = await startSandboxBank({ port: 0, host: "127.0.0.1", logger });
const config = loadConfig({
  ...process.env,
  MYPAY_BANK_PORT: "0",
  MYPAY_BANK_URL: bank.url,
  MYPAY_ADMIN_PASSWORD: "bench-password",
  MYPAY_PORT: "0",
  MYPAY_DATABASE_URL: databaseUrl ?? "",
  // A full run outlasts the default 15 minutes of an access token.
  MYPAY_ACCESS_TOKEN_TTL: "86400",
});
const db = databaseUrl ? undefined : await openPglite();
const mypay = await createMypay({ config, logger, ...(db ? { db } : {}) });
const base = await mypay.app.listen({ port: 0, host: "127.0.0.1" });
mypay.startBackground();
await mypay.contexts.banking.prepare();
process.send?.({ base, bank: bank.url, engine: mypay.db.engine });

let stopping = false;
process.on("SIGTERM", async () => {
  if (stopping) return;
  stopping = true;
  await mypay.close();
  await bank.close();
  process.exit(0);
});

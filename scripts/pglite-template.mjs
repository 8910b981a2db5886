// Makes the template every new embedded database starts from: a PGlite cluster right after initdb,
// as the tar PGlite's `loadDataDir` reads. initdb is most of a bare PGlite's first start (about 2.3 s
// of 2.7 s here) and its result is the same for every install, so it is done once, at `npm install`
// (the build), instead of at every first start (issue 8, footprint).
// Only the cluster: no schema, no row of ours; migrations still run at start. The file's name holds
// the PGlite version, so an upgrade of PGlite makes a new one (src/platform/db/pglite-template.ts
// uses it only if it matches). Usage: node scripts/pglite-template.mjs
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** node_modules/.cache/mypay/pglite-<version>.tar (the same path pglite-template.ts reads). */
export function templateFile() {
  const pkg = join(root, "node_modules", "@electric-sql", "pglite", "package.json");
  const { version } = JSON.parse(readFileSync(pkg, "utf8"));
  return join(root, "node_modules", ".cache", "mypay", `pglite-${version}.tar`);
}

/** Makes the template unless it is there; returns its path. */
export async function ensureTemplate() {
  const file = templateFile();
  if (existsSync(file)) return file;
  const { PGlite } = await import("@electric-sql/pglite");
  const db = await PGlite.create();
  // Written out whole, so that loading it replays no WAL.
  await db.exec("CHECKPOINT");
  const tar = await db.dumpDataDir("none");
  await db.close();
  mkdirSync(join(file, ".."), { recursive: true });
  // Written aside and renamed: a process reading it never sees half a file.
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, Buffer.from(await tar.arrayBuffer()));
  renameSync(partial, file);
  rmSync(partial, { force: true });
  return file;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const existed = existsSync(templateFile());
  const file = await ensureTemplate();
  if (!existed) console.error(`mypay: made ${file} in ${Math.round(performance.now() - started)} ms`);
}

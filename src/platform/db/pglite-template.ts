import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// The initialised cluster a new embedded database is loaded from instead of running initdb
// (scripts/pglite-template.mjs makes it at the build). Missing or of another PGlite version: none,
// and PGlite runs initdb as it would without it.

const root = fileURLToPath(new URL("../../..", import.meta.url));

function templateFile(): string | undefined {
  try {
    const pkg = `${root}node_modules/@electric-sql/pglite/package.json`;
    const { version } = JSON.parse(readFileSync(pkg, "utf8")) as { version: string };
    return `${root}node_modules/.cache/mypay/pglite-${version}.tar`;
  } catch {
    return undefined;
  }
}

/** Whether a data folder holds no database yet (missing or empty). */
export function isFresh(dataDir: string): boolean {
  return !existsSync(dataDir) || readdirSync(dataDir).length === 0;
}

/** The template as PGlite's `loadDataDir` takes it, or undefined when there is none to use. */
export function pgliteTemplate(): Blob | undefined {
  const file = templateFile();
  if (!file || !existsSync(file)) return undefined;
  return new Blob([readFileSync(file)]);
}

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { buildWebIfStale, webDistDir } from "../scripts/build-web.mjs";

// The web app's own rules that need no browser: every message in both languages, and the size budget
// of the first page (issue 10: at most 150 KB of JavaScript, gzipped).
const webSrc = new URL("../web/src/", import.meta.url).pathname;
const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );

type Messages = Record<"en" | "ko", Record<string, string>>;
async function dictionaries(): Promise<Record<string, Messages>> {
  const out: Record<string, Messages> = {};
  for (const file of readdirSync(join(webSrc, "i18n"))) {
    if (file === "index.ts") continue;
    const module = (await import(join(webSrc, "i18n", file))) as Record<string, Messages>;
    for (const [name, messages] of Object.entries(module)) out[`${file}:${name}`] = messages;
  }
  return out;
}

test("every message exists in Korean and in English, and none is left empty", async () => {
  const all = await dictionaries();
  assert.ok(Object.keys(all).length >= 1);
  for (const [name, { en, ko }] of Object.entries(all)) {
    const onlyEn = Object.keys(en).filter((k) => !(k in ko));
    const onlyKo = Object.keys(ko).filter((k) => !(k in en));
    assert.deepEqual(onlyEn, [], `${name}: keys without Korean`);
    assert.deepEqual(onlyKo, [], `${name}: keys without English`);
    for (const [key, text] of [...Object.entries(en), ...Object.entries(ko)])
      assert.ok(text.trim().length > 0, `${name}: ${key} is empty`);
    // A placeholder in one language is a placeholder in the other.
    for (const key of Object.keys(en)) {
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(names(ko[key]!), names(en[key]!), `${name}: ${key}'s placeholders`);
    }
  }
});

test('every t("…") key the pages use has a message', async () => {
  const known = new Set(Object.values(await dictionaries()).flatMap((m) => Object.keys(m.en)));
  const missing: string[] = [];
  for (const file of walk(webSrc).filter((f) => /\.tsx?$/.test(f))) {
    for (const m of readFileSync(file, "utf8").matchAll(/\bt\(\s*"([^"]+)"/g)) {
      if (!known.has(m[1]!)) missing.push(`${file.slice(webSrc.length)}: ${m[1]}`);
    }
  }
  assert.deepEqual(missing, []);
});

test("every problem code of the API has a message of its own", async () => {
  const { errorCodes } = await import("./kernel/errors.js");
  const { common } = (await import(join(webSrc, "i18n", "common.ts"))) as { common: Messages };
  const missing = errorCodes.filter(
    (code: string) => !(`problem.${code}` in common.en) && !code.endsWith("_UNAVAILABLE"),
  );
  assert.deepEqual(missing, []);
});

test("the first page's JavaScript is at most 150 KB gzipped", () => {
  buildWebIfStale();
  const shell = readFileSync(join(webDistDir, "index.html"), "utf8");
  // What the first page loads: its module script and every module it preloads.
  const scripts = [...shell.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  assert.ok(scripts.length >= 1, "the shell loads a script");
  const gzipped = scripts.reduce(
    (sum, path) => sum + gzipSync(readFileSync(join(webDistDir, path))).length,
    0,
  );
  assert.ok(gzipped <= 150 * 1024, `the first page loads ${gzipped} bytes of gzipped JavaScript`);
  // The merchant pages and the console are chunks of their own, not in the first page.
  const chunks = readdirSync(join(webDistDir, "assets")).filter((f) => f.endsWith(".js"));
  assert.ok(chunks.length > scripts.length, "the other areas load on their own pages");
});

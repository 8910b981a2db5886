import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { openPglite } from "./pglite.js";
import { pgliteTemplate } from "./pglite-template.js";

// A new embedded database is loaded from the cluster made at the build instead of running initdb
// (issue 8): what matters to a user is that it is an empty, working database, and that a folder
// that already holds one is never loaded over.

const dir = mkdtempSync(join(tmpdir(), "mypay-pglite-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("the embedded database", () => {
  test("the build made the template it starts from", () => {
    assert.ok(pgliteTemplate(), "npm install (or npm test) makes node_modules/.cache/mypay/pglite-*.tar");
  });

  test("a new one in an empty folder is empty and keeps what is written across a restart", async () => {
    const first = await openPglite(dir);
    const tables = await first.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    );
    assert.deepEqual(tables, [{ n: 0 }], "nothing of ours in the template");
    await first.exec("CREATE TABLE kept (won BIGINT NOT NULL); INSERT INTO kept VALUES (1000)");
    await first.close();
    assert.ok(readdirSync(dir).includes("PG_VERSION"));

    // Opened again: the folder holds a database now, so the template must not replace it.
    const again = await openPglite(dir);
    assert.deepEqual(await again.query("SELECT won FROM kept"), [{ won: 1000 }]);
    await again.close();
  });

  test("one in memory (as every test file opens) is new and empty each time", async () => {
    const a = await openPglite();
    await a.exec("CREATE TABLE only_here (id INT)");
    const b = await openPglite();
    const seen = await b.query("SELECT 1 FROM pg_tables WHERE tablename = 'only_here'");
    assert.deepEqual(seen, []);
    await Promise.all([a.close(), b.close()]);
  });
});

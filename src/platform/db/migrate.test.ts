import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { openTestDb } from "../../testing/db.js";
import { countStatements } from "../../testing/statements.js";
import type { Db } from "./db.js";
import { migrate, migrateAll, platformMigrationsDir } from "./migrate.js";

let db: Db;
let dir: string;
before(async () => {
  db = await openTestDb();
  dir = mkdtempSync(join(tmpdir(), "mypay-migrations-"));
  writeFileSync(join(dir, "001_shop.sql"), "CREATE TABLE shop (id INT PRIMARY KEY, name TEXT NOT NULL);");
  writeFileSync(join(dir, "002_stock.sql"), "ALTER TABLE shop ADD COLUMN stock INT NOT NULL DEFAULT 0;");
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the migration runner", () => {
  test("applies each file once, in order, into the context's own schema, even when two processes start together", async () => {
    const set = { schema: "shop_ctx", dirs: [platformMigrationsDir, dir] };
    const [first, second] = await Promise.all([migrate(db, set), migrate(db, set)]);
    const applied = [...(first ?? []), ...(second ?? [])];
    assert.deepEqual(
      applied.filter((n) => n.startsWith("context/")),
      ["context/001_shop.sql", "context/002_stock.sql"],
    );
    assert.equal(applied.filter((n) => n === "platform/001_outbox_inbox.sql").length, 1);
    await db.query("INSERT INTO shop_ctx.shop (id, name, stock) VALUES (1, 'coffee', 3)");
    assert.deepEqual(await db.query("SELECT name, stock FROM shop_ctx.shop"), [{ name: "coffee", stock: 3 }]);
    assert.deepEqual(await migrate(db, set), [], "a restart applies nothing again");
  });

  test("a new file is applied at the next start; a changed applied file stops the start", async () => {
    const set = { schema: "shop_ctx", dirs: [platformMigrationsDir, dir] };
    writeFileSync(join(dir, "003_price.sql"), "ALTER TABLE shop ADD COLUMN price BIGINT NOT NULL DEFAULT 0;");
    assert.deepEqual(await migrate(db, set), ["context/003_price.sql"]);
    writeFileSync(join(dir, "001_shop.sql"), "CREATE TABLE shop (id BIGINT PRIMARY KEY);");
    await assert.rejects(migrate(db, set), /001_shop\.sql was changed after it was applied/);
  });

  test("with nothing pending, the check of every schema is one query; a new file is still applied", async () => {
    const other = mkdtempSync(join(tmpdir(), "mypay-migrations-other-"));
    try {
      writeFileSync(join(other, "001_till.sql"), "CREATE TABLE till (id INT PRIMARY KEY);");
      const sets = [
        { schema: "till_ctx", dirs: [platformMigrationsDir, other] },
        { schema: "platform_only_ctx", dirs: [platformMigrationsDir] },
      ];
      const counted = countStatements(db);
      const first = await counted.measure(() => migrateAll(counted.db, sets));
      assert.ok(first.result.includes("till_ctx:context/001_till.sql"), "a schema new to the database");
      const again = await counted.measure(() => migrateAll(counted.db, sets));
      assert.deepEqual(again.result, []);
      assert.equal(again.count.statements, 1, again.count.log.join("\n"));
      writeFileSync(join(other, "002_drawer.sql"), "ALTER TABLE till ADD COLUMN drawer INT;");
      assert.deepEqual(await migrateAll(counted.db, sets), ["till_ctx:context/002_drawer.sql"]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test("a failing file leaves the schema as it was", async () => {
    const bad = mkdtempSync(join(tmpdir(), "mypay-migrations-bad-"));
    try {
      writeFileSync(join(bad, "001_ok.sql"), "CREATE TABLE fine (id INT);");
      writeFileSync(join(bad, "002_broken.sql"), "CREATE TABLE broken (id NOPE);");
      // The files of a schema go in one statement: the error names them and says what PostgreSQL said.
      await assert.rejects(
        migrate(db, { schema: "bad_ctx", dirs: [bad] }),
        /002_broken\.sql.*type "nope" does not exist/,
      );
      const [row] = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'bad_ctx'",
      );
      assert.equal(row?.n, 0);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});

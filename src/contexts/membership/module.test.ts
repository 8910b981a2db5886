import assert from "node:assert/strict";
import { after, test } from "node:test";
import { decodeProtectedHeader } from "jose";
import pino from "pino";
import { newId } from "../../kernel/ids.js";
import { verifyPassword } from "../../platform/auth/passwords.js";
import { createRevocations } from "../../platform/auth/revocations.js";
import type { Principal } from "../../platform/auth/tokens.js";
import { migrate, platformMigrationsDir } from "../../platform/db/migrate.js";
import { openTestDb } from "../../testing/db.js";
import { createMembershipApi, ensureAdmin, loadAuthKeys } from "./api.js";
import { createMembershipModule, membershipMigrationsDir } from "./module.js";
import { findMemberByEmail } from "./store.js";
import { noBank, testWallets } from "./test-app.js";

const db = await openTestDb();
after(() => db.close());
await migrate(db, { schema: "membership", dirs: [platformMigrationsDir, membershipMigrationsDir] });

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

test("without a configured password, the staff member gets a generated one, logged once with the email", async () => {
  const { logger, lines } = capturingLogger();
  const config = { adminEmail: "root@mypay.test", adminPassword: undefined };
  await Promise.all([ensureAdmin(db, config, logger), ensureAdmin(db, config, logger)]);
  await ensureAdmin(db, config, logger);
  const warnings = lines.filter((l) => l.level === 40);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.email, "root@mypay.test");
  const password = String(warnings[0]?.generatedAdminPassword);
  assert.ok(password.length >= 16);
  const rows = await db.query("SELECT type, status FROM membership.members WHERE email = $1", [
    "root@mypay.test",
  ]);
  assert.deepEqual([...rows], [{ type: "staff", status: "ACTIVE" }]);
  const stored = await findMemberByEmail(db, "root@mypay.test");
  assert.equal(await verifyPassword(password, stored?.passwordHash), true);
  const events = await db.query("SELECT type FROM membership.outbox WHERE data->>'email' = $1", [
    "root@mypay.test",
  ]);
  assert.equal(events.length, 1);
});

test("with a configured password, the staff member is created quietly and later starts change nothing", async () => {
  const { logger, lines } = capturingLogger();
  await ensureAdmin(db, { adminEmail: "ops@mypay.test", adminPassword: "configured-secret" }, logger);
  await ensureAdmin(db, { adminEmail: "ops@mypay.test", adminPassword: "another-secret" }, logger);
  assert.equal(lines.filter((l) => Number(l.level) >= 40).length, 0);
  assert.doesNotMatch(JSON.stringify(lines), /configured-secret/);
  const stored = await findMemberByEmail(db, "OPS@mypay.test");
  assert.equal(await verifyPassword("configured-secret", stored?.passwordHash), true);
});

test("processes loading the auth keys together agree on one key, and each verifies the other's tokens", async () => {
  const [a, b] = await Promise.all([loadAuthKeys(db), loadAuthKeys(db)]);
  assert.deepEqual(a.jwks, b.jwks);
  assert.equal(a.jwks.keys.length, 1);
  const principal: Principal = { membershipId: newId("membership"), role: "customer" };
  const token = await a.signer.sign(principal);
  assert.deepEqual(await b.verifier.verify(token), principal);
  assert.equal(decodeProtectedHeader(token).kid, a.jwks.keys[0]?.kid);
  const again = await loadAuthKeys(db, { accessTokenTtlSeconds: 60 });
  assert.equal(again.signer.ttlSeconds, 60);
  assert.deepEqual(again.jwks, a.jwks);
});

test("item 8: a membership module built without money's api does not compile, and throws at construction", () => {
  const revocations = createRevocations({ accessTokenTtlSeconds: 900 });
  // @ts-expect-error: money is required, so that no member with money can leave for want of it
  assert.throws(() => createMembershipModule({ revocations }), /money's api/);
  const options = { money: testWallets().api, banking: noBank, revocations };
  assert.equal(createMembershipModule(options).name, "membership");
});

test("other contexts read a member through the api, without credentials", async () => {
  const api = createMembershipApi(db);
  const stored = await findMemberByEmail(db, "ops@mypay.test");
  const view = await api.getMember(String(stored?.id));
  assert.equal(view?.email, "ops@mypay.test");
  assert.equal(view?.role, "staff");
  assert.equal("passwordHash" in (view ?? {}), false);
  assert.equal(await api.getMember("mem_0190f0c4d6a87c3a9d1e2b3c4d5e6f70"), undefined);
  assert.equal(await api.getMember("garbage"), undefined);
});

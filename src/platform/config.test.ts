import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, test } from "node:test";
import { ConfigError, contextNames, describeConfig, loadConfig } from "./config.js";

describe("configuration from the environment", () => {
  test("with nothing set, mypay serves everything embedded on 127.0.0.1:8080 with the bank on 8090", () => {
    const c = loadConfig({});
    assert.equal(c.port, 8080);
    assert.equal(c.host, "127.0.0.1");
    assert.equal(c.dataDir, "./data");
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.busUrl, undefined);
    assert.deepEqual(c.contexts, contextNames);
    assert.equal(c.bankUrl, "http://127.0.0.1:8090");
    assert.equal(c.bankPort, 8090);
    assert.equal(c.adminEmail, "admin@mypay.local");
    assert.equal(c.settlementCron, "0 2 * * *");
  });

  test("every variable of API.md's Running table is read", () => {
    const c = loadConfig({
      MYPAY_PORT: "9000",
      MYPAY_HOST: "0.0.0.0",
      MYPAY_DATA_DIR: "/var/lib/mypay",
      MYPAY_DATABASE_URL: "postgres://u:pw@db:5432/mypay",
      MYPAY_BUS_URL: "nats://bus:4222",
      MYPAY_CONTEXTS: "membership, money",
      MYPAY_BANK_URL: "https://bank.example",
      MYPAY_BANK_PORT: "0",
      MYPAY_ADMIN_EMAIL: "Ops@Example.com",
      MYPAY_ADMIN_PASSWORD: "correct horse",
      MYPAY_SETTLEMENT_CRON: "30 1 * * 1-5",
    });
    assert.equal(c.port, 9000);
    assert.equal(c.host, "0.0.0.0");
    assert.equal(c.dataDir, "/var/lib/mypay");
    assert.equal(c.databaseUrl, "postgres://u:pw@db:5432/mypay");
    assert.equal(c.busUrl, "nats://bus:4222");
    assert.deepEqual(c.contexts, ["membership", "money"]);
    assert.equal(c.bankUrl, "https://bank.example");
    assert.equal(c.bankPort, 0);
    assert.equal(c.adminEmail, "ops@example.com");
    assert.equal(c.adminPassword, "correct horse");
    assert.equal(c.settlementCron, "30 1 * * 1-5");
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ MYPAY_PORT: "eighty" }, /^MYPAY_PORT must be a whole number from 0 to 65535/],
    [{ MYPAY_PORT: "70000" }, /^MYPAY_PORT /],
    [{ MYPAY_BANK_PORT: "-1" }, /^MYPAY_BANK_PORT /],
    [{ MYPAY_DATABASE_URL: "mysql://x" }, /^MYPAY_DATABASE_URL must start with postgres: or postgresql:/],
    [{ MYPAY_BUS_URL: "not a url" }, /^MYPAY_BUS_URL must be a URL/],
    [{ MYPAY_CONTEXTS: "membership,wallet" }, /^MYPAY_CONTEXTS names an unknown context "wallet"/],
    [{ MYPAY_BANK_URL: "ftp://bank" }, /^MYPAY_BANK_URL /],
    [{ MYPAY_ADMIN_EMAIL: "admin" }, /^MYPAY_ADMIN_EMAIL must be an email address/],
    [{ MYPAY_ADMIN_PASSWORD: "short" }, /^MYPAY_ADMIN_PASSWORD must be at least 8 characters/],
    [{ MYPAY_SETTLEMENT_CRON: "every day" }, /^MYPAY_SETTLEMENT_CRON must be a cron expression/],
  ];
  for (const [env, message] of bad) {
    test(`a bad ${Object.keys(env)[0]} stops start-up with a message naming it`, () => {
      assert.throws(
        () => loadConfig(env),
        (e: unknown) => e instanceof ConfigError && message.test(e.message) && !e.message.includes("\n"),
      );
    });
  }

  test("item 19: MYPAY_CONTEXTS knows the contexts that exist, and only them", () => {
    const built = readdirSync(new URL("../contexts", import.meta.url), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    assert.deepEqual([...contextNames].sort(), built);
    assert.deepEqual(describeConfig(loadConfig({})).contexts, contextNames);
    assert.throws(
      () => loadConfig({ MYPAY_CONTEXTS: "money,wallet" }),
      (e: unknown) => e instanceof ConfigError && e.message.includes('unknown context "wallet"'),
    );
  });

  test("MYPAY_CONTEXTS=gateway is the gateway alone, routing to MYPAY_SERVICE_URLS", () => {
    const c = loadConfig({
      MYPAY_CONTEXTS: "gateway",
      MYPAY_SERVICE_URLS: "money=http://money:8080/, membership = http://m:1",
    });
    assert.equal(c.gateway, true);
    assert.deepEqual(c.contexts, []);
    assert.deepEqual(c.serviceUrls, { money: "http://money:8080", membership: "http://m:1" });
    assert.throws(
      () => loadConfig({ MYPAY_CONTEXTS: "gateway,money" }),
      (e: unknown) => e instanceof ConfigError && /gateway alone/.test(e.message),
    );
    for (const urls of ["wallet=http://w", "money=ftp://m", "money"]) {
      assert.throws(
        () => loadConfig({ MYPAY_SERVICE_URLS: urls }),
        (e: unknown) => e instanceof ConfigError && e.message.startsWith("MYPAY_SERVICE_URLS"),
        urls,
      );
    }
  });

  test("secrets come from a variable or from the file its _FILE names, and are masked in the log", () => {
    const files: Record<string, string> = { "/run/secrets/token": "tok-from-file\n" };
    const read = (path: string) => {
      const content = files[path];
      if (content === undefined) throw new Error("ENOENT");
      return content;
    };
    const c = loadConfig(
      { MYPAY_SERVICE_TOKEN_FILE: "/run/secrets/token", MYPAY_SIGNING_KEY: '{"kty":"OKP"}' },
      read,
    );
    assert.equal(c.serviceToken, "tok-from-file");
    assert.equal(c.signingKey, '{"kty":"OKP"}');
    const shown = JSON.stringify(describeConfig(c));
    assert.ok(!shown.includes("tok-from-file") && !shown.includes("OKP"), shown);
    assert.throws(
      () => loadConfig({ MYPAY_SIGNING_KEY_FILE: "/nowhere" }, read),
      (e: unknown) =>
        e instanceof ConfigError && /MYPAY_SIGNING_KEY_FILE names a file that cannot be read/.test(e.message),
    );
  });

  test("the logged configuration masks secrets", () => {
    const shown = JSON.stringify(
      describeConfig(
        loadConfig({
          MYPAY_DATABASE_URL: "postgres://mypay:s3cret@db/mypay",
          MYPAY_ADMIN_PASSWORD: "hunter2hunter2",
        }),
      ),
    );
    assert.ok(!shown.includes("s3cret"), shown);
    assert.ok(!shown.includes("hunter2hunter2"), shown);
    assert.match(shown, /postgres:\/\/mypay:\*\*\*@db\/mypay/);
  });
});

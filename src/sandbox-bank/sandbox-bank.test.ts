import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { createLogger } from "../platform/logging.js";
import { createSandboxBank, type SandboxBank } from "./app.js";
import { bankClient } from "./test-helpers.js";

let bank: SandboxBank;
let client: ReturnType<typeof bankClient>;

before(async () => {
  bank = await createSandboxBank({ logger: createLogger("silent") });
  client = bankClient(bank);
});
after(() => bank.close());

describe("accounts", () => {
  test("lists the five banks the sandbox plays", async () => {
    const res = await client.call("GET", "/banks");
    const codes = (res.body.items as { bankCode: string }[]).map((b) => b.bankCode).sort();
    assert.deepEqual(codes, ["004", "020", "081", "088", "090"]);
  });

  test("opens an active account with its opening balance, and finds it again", async () => {
    const account = await client.open(50_000, "088");
    assert.equal(account.status, "ACTIVE");
    assert.equal(account.balance, 50_000);
    assert.match(account.accountNumber, /^[0-9]{12}$/);
    const again = await client.call("GET", `/accounts/088/${account.accountNumber}`);
    assert.deepEqual(again.body, account);
    const zero = await client.call("POST", "/accounts", { bankCode: "090", holderName: "김철수" });
    assert.equal(zero.body.balance, 0);
  });

  test("refuses an unknown bank, an unknown account and malformed bodies with problems", async () => {
    const unknownBank = await client.call("POST", "/accounts", { bankCode: "999", holderName: "x" });
    assert.equal(unknownBank.status, 400);
    assert.equal(unknownBank.body.code, "VALIDATION_FAILED");
    const extra = await client.call("POST", "/accounts", { bankCode: "004", holderName: "x", vip: true });
    assert.equal(extra.status, 400);
    const missing = await client.call("GET", "/accounts/004/123456789012");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, "NOT_FOUND");
    assert.match(missing.type, /application\/problem\+json/);
  });

  test("freezes, closes and reactivates an account", async () => {
    const account = await client.open(1_000);
    const path = `/accounts/004/${account.accountNumber}`;
    assert.equal((await client.call("PATCH", path, { status: "FROZEN" })).body.status, "FROZEN");
    assert.equal((await client.call("GET", path)).body.status, "FROZEN");
    assert.equal((await client.call("PATCH", path, { status: "ACTIVE" })).body.status, "ACTIVE");
    assert.equal((await client.call("PATCH", path, { status: "GONE" })).status, 400);
    assert.equal((await client.call("PATCH", "/accounts/004/1", { status: "CLOSED" })).status, 404);
  });
});

describe("transfers", () => {
  test("moves money from one bank's account to another's", async () => {
    const [a, b] = [await client.open(10_000, "004"), await client.open(0, "020")];
    const id = client.newId();
    const res = await client.transfer(id, a, b, 3_000);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { requestId: id, status: "SUCCEEDED" });
    assert.equal(await client.balance(a), 7_000);
    assert.equal(await client.balance(b), 3_000);
    const stored = await client.stored(id);
    assert.equal(stored?.status, "SUCCEEDED");
    assert.equal(stored?.amount, 3_000);
    assert.deepEqual(stored?.to, { bankCode: "020", accountNumber: b.accountNumber });
    assert.ok(!Number.isNaN(Date.parse(stored?.createdAt ?? "")));
  });

  test("a repeated requestId returns the stored outcome and moves nothing more", async () => {
    const [a, b] = [await client.open(10_000), await client.open(0)];
    const id = client.newId();
    const first = await client.transfer(id, a, b, 4_000);
    const again = await client.transfer(id, a, b, 4_000);
    assert.deepEqual(again.body, first.body);
    assert.equal(await client.balance(a), 6_000);
    assert.equal(await client.balance(b), 4_000);
    const other = await client.transfer(id, a, b, 5_000);
    assert.equal(other.status, 409);
    assert.equal(other.body.code, "CONFLICT");
    assert.equal(await client.balance(a), 6_000);
  });

  test("ten concurrent copies of one request move the money once", async () => {
    const [a, b] = [await client.open(10_000), await client.open(0)];
    const id = client.newId();
    const answers = await Promise.all(Array.from({ length: 10 }, () => client.transfer(id, a, b, 2_500)));
    for (const res of answers) assert.deepEqual(res.body, { requestId: id, status: "SUCCEEDED" });
    assert.equal(await client.balance(a), 7_500);
    assert.equal(await client.balance(b), 2_500);
  });

  test("transfers both ways between two accounts at the same time all go through", async () => {
    const [a, b] = [await client.open(100_000), await client.open(100_000)];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? client.transfer(client.newId(), a, b, 1_000)
          : client.transfer(client.newId(), b, a, 3_000),
      ),
    );
    assert.ok(answers.every((res) => res.body.status === "SUCCEEDED"));
    assert.equal(await client.balance(a), 100_000 - 10_000 + 30_000);
    assert.equal(await client.balance(b), 100_000 + 10_000 - 30_000);
  });

  test("insufficient funds fail, are stored, and move nothing", async () => {
    const [a, b] = [await client.open(1_000), await client.open(0)];
    const id = client.newId();
    const res = await client.transfer(id, a, b, 1_001);
    assert.deepEqual(res.body, { requestId: id, status: "FAILED", reason: "INSUFFICIENT_FUNDS" });
    assert.equal((await client.stored(id))?.reason, "INSUFFICIENT_FUNDS");
    assert.equal(await client.balance(a), 1_000);
    assert.equal(await client.balance(b), 0);
  });

  test("a frozen or closed account neither pays nor receives", async () => {
    const [a, b] = [await client.open(5_000), await client.open(0)];
    await client.call("PATCH", `/accounts/004/${b.accountNumber}`, { status: "FROZEN" });
    const toFrozen = await client.transfer(client.newId(), a, b, 1_000);
    assert.equal(toFrozen.body.reason, "ACCOUNT_NOT_ACTIVE");
    await client.call("PATCH", `/accounts/004/${a.accountNumber}`, { status: "CLOSED" });
    await client.call("PATCH", `/accounts/004/${b.accountNumber}`, { status: "ACTIVE" });
    const fromClosed = await client.transfer(client.newId(), a, b, 1_000);
    assert.equal(fromClosed.body.reason, "ACCOUNT_NOT_ACTIVE");
    assert.equal(await client.balance(a), 5_000);
    assert.equal(await client.balance(b), 0);
  });

  test("a transfer to an account no bank holds fails as ACCOUNT_NOT_FOUND", async () => {
    const a = await client.open(5_000);
    const nowhere = { bankCode: "999", accountNumber: "1234" };
    const res = await client.transfer(client.newId(), a, nowhere, 1_000);
    assert.equal(res.body.status, "FAILED");
    assert.equal(res.body.reason, "ACCOUNT_NOT_FOUND");
    assert.equal(await client.balance(a), 5_000);
  });

  test("rejects amounts that are not positive whole won, and unknown transfers are 404", async () => {
    const [a, b] = [await client.open(5_000), await client.open(0)];
    for (const amount of [0, -1, 1.5, "1000", Number.MAX_SAFE_INTEGER + 1]) {
      const res = await client.call("POST", "/transfers", {
        requestId: client.newId(),
        from: a,
        to: b,
        amount,
      });
      assert.equal(res.status, 400, `amount ${amount}`);
    }
    assert.equal((await client.call("GET", "/transfers/never-sent")).status, 404);
  });

  test("random transfers keep the total of all balances and never overdraw", async () => {
    const step = fc.record({
      from: fc.nat(3),
      to: fc.nat(3),
      amount: fc.integer({ min: 1, max: 400 }),
      repeat: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(600), { minLength: 4, maxLength: 4 }),
        fc.array(step),
        async (start, steps) => {
          const accounts = await Promise.all(start.map((balance) => client.open(balance)));
          const model = [...start];
          for (const s of steps) {
            const id = client.newId("prop");
            const from = accounts[s.from]!;
            const to = accounts[s.to]!;
            const res = await client.transfer(id, from, to, s.amount);
            if (s.repeat) assert.deepEqual((await client.transfer(id, from, to, s.amount)).body, res.body);
            const enough = model[s.from]! >= s.amount;
            assert.equal(res.body.status, enough ? "SUCCEEDED" : "FAILED");
            if (enough) {
              model[s.from]! -= s.amount;
              model[s.to]! += s.amount;
            }
          }
          const balances = await Promise.all(accounts.map((a) => client.balance(a)));
          assert.deepEqual(balances, model);
          assert.equal(
            balances.reduce((x, y) => x + y, 0),
            start.reduce((x, y) => x + y, 0),
          );
          assert.ok(balances.every((b) => b >= 0));
        },
      ),
      { numRuns: 25 },
    );
  });
});

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { bankCall, call, moneyOf, newMember, startWorld, type World } from "../../testing/world.js";
import { nextKey, payeeAccount, recharge, remit, storedCount, type To, withFaults } from "./test-kit.js";

// Every way a remittance is refused before anything is stored: a clear code, no remittance, no saga,
// not a won moved; a refusal the bank's silence caused releases the key for a retry.

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

async function refused(
  sender: Awaited<ReturnType<typeof newMember>>,
  body: object,
  status: number,
  code: string,
) {
  const before = await storedCount(world);
  const res = await call(world, sender.token, "POST", "/v1/remittances", body, nextKey());
  assert.equal(res.statusCode, status, `${JSON.stringify(body)} → ${res.body}`);
  assert.equal(res.json().code, code);
  assert.equal(await storedCount(world), before, "nothing was stored");
  return res;
}

describe("refused with 422 and nothing stored", () => {
  test("to yourself, to an unknown member, to a withdrawn member: RECIPIENT_INVALID", async () => {
    const [kim, gone] = [await newMember(world), await newMember(world)];
    await recharge(world, kim, 10_000);
    const left = await call(world, gone.token, "DELETE", `/v1/memberships/${gone.membershipId}`);
    assert.equal(left.statusCode, 204, left.body);
    for (const membershipId of [kim.membershipId, `mem_${"0".repeat(32)}`, gone.membershipId]) {
      await refused(kim, { to: { membershipId }, amount: 1_000 }, 422, "RECIPIENT_INVALID");
    }
    assert.equal(await moneyOf(world, kim), 10_000);
  });

  test("to a bank account that is missing or not active, or at a bank mypay has no contract with", async () => {
    const kim = await newMember(world);
    await recharge(world, kim, 10_000);
    const frozen = await payeeAccount(world);
    await bankCall(world.bank, "PATCH", `/accounts/${frozen.bankCode}/${frozen.accountNumber}`, {
      status: "FROZEN",
    });
    const cases: Array<[To, string]> = [
      [{ bankCode: "020", accountNumber: "999999999999" }, "BANK_ACCOUNT_INVALID"],
      [frozen, "BANK_ACCOUNT_INVALID"],
      [{ bankCode: "999", accountNumber: "1234" }, "BANK_NOT_SUPPORTED"],
    ];
    for (const [to, code] of cases) await refused(kim, { to, amount: 1_000 }, 422, code);

    const suspended = await payeeAccount(world, "081");
    const patch = (status: string) =>
      call(world, world.staffToken, "PATCH", "/v1/admin/banks/081", { status });
    assert.equal((await patch("SUSPENDED")).statusCode, 200);
    try {
      await refused(kim, { to: suspended, amount: 1_000 }, 422, "BANK_NOT_SUPPORTED");
    } finally {
      await patch("ACTIVE");
    }
    assert.equal(await moneyOf(world, kim), 10_000);
  });

  test("the bank does not answer: 503 BANK_UNAVAILABLE, and the same key may be tried again", async () => {
    const kim = await newMember(world);
    await recharge(world, kim, 10_000);
    const payee = await payeeAccount(world);
    const key = nextKey();
    const body = { to: payee, amount: 2_000 };
    const before = await storedCount(world);
    const down = await withFaults(world, { down: true }, () => remit(world, kim, body, key));
    assert.deepEqual([down.statusCode, down.json().code], [503, "BANK_UNAVAILABLE"]);
    assert.equal(await storedCount(world), before);
    // The breaker may stay open a moment after the bank is back.
    let retry = await remit(world, kim, body, key);
    for (let i = 0; retry.statusCode === 503 && i < 40; i++) {
      await new Promise((r) => setTimeout(r, 100));
      retry = await remit(world, kim, body, key);
    }
    assert.equal(retry.statusCode, 201, retry.body);
    assert.equal(retry.headers["idempotent-replayed"], undefined);
    assert.equal(retry.json().status, "SUCCEEDED");
    assert.equal(await moneyOf(world, kim), 7_500);
  });
});

describe("refused with 400", () => {
  test("amounts that are not a positive safe integer within the limit, a long memo, a bad recipient", async () => {
    const [kim, lee] = [await newMember(world), await newMember(world)];
    const to = { membershipId: lee.membershipId };
    const bodies: object[] = [
      ...[0, -1, 1.5, "1000", 2_000_001, Number.MAX_SAFE_INTEGER + 2, null].map((amount) => ({ to, amount })),
      { to },
      { to, amount: 1_000, memo: "가".repeat(101) },
      { to, amount: 1_000, memo: "bad\u0000memo" },
      { to, amount: 1_000, extra: true },
      { to: { membershipId: "mem_nope" }, amount: 1_000 },
      { to: { ...to, bankCode: "020", accountNumber: "1" }, amount: 1_000 },
      { to: { bankCode: "20", accountNumber: "1" }, amount: 1_000 },
      { amount: 1_000 },
    ];
    for (const body of bodies) await refused(kim, body, 400, "VALIDATION_FAILED");
    const before = await storedCount(world);
    const keyless = await call(world, kim.token, "POST", "/v1/remittances", { to, amount: 1_000 });
    assert.deepEqual([keyless.statusCode, keyless.json().code], [400, "VALIDATION_FAILED"]);
    assert.equal(await storedCount(world), before);
    const memo = await remit(world, kim, { to, amount: 1_000, memo: "가".repeat(100) });
    assert.equal(memo.statusCode, 201, "a memo of exactly 100 characters is fine");
  });

  test("no token: 401", async () => {
    const res = await world.mypay.app.inject({ method: "POST", url: "/v1/remittances", payload: {} });
    assert.equal(res.statusCode, 401);
    assert.equal((await world.mypay.app.inject({ url: "/v1/remittances" })).statusCode, 401);
  });
});

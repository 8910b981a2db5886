import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { newId } from "../../kernel/ids.js";
import { bankCall, call, type Member, newMember, startWorld, type World } from "../../testing/world.js";

// Franchises and commission through the whole app: a sandbox bank checks settlement accounts.

let world: World;
let merchant: Member;
let customer: Member;
let staffId: string;

before(async () => {
  world = await startWorld();
  merchant = await newMember(world, { type: "merchant" });
  customer = await newMember(world);
  staffId = (await call(world, world.staffToken, "GET", "/v1/memberships/me")).json().membershipId;
});
after(() => world.close());

type Ref = { bankCode: string; accountNumber: string };

async function openAtBank(holderName: string, bankCode = "004"): Promise<Ref> {
  const account = await bankCall<Ref>(world.bank, "POST", "/accounts", { bankCode, holderName, balance: 0 });
  return { bankCode, accountNumber: account.accountNumber };
}

// Samsung Electronics' number: its check digit is right.
const registration = (settlementAccount: Ref, name = "Mapo Coffee") => ({
  name,
  businessNumber: "124-81-00998",
  region: "Seoul",
  settlementAccount,
});

async function registerFranchise(owner: Member, name?: string) {
  const res = await call(
    world,
    owner.token,
    "POST",
    "/v1/franchises",
    registration(await openAtBank(owner.name), name),
  );
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { franchiseId: string; ownerId: string };
}

const history = (id: string, token = world.staffToken) =>
  call(world, token, "GET", `/v1/admin/franchises/${id}/commission-history`);
const setCommission = (id: string, commissionBps: unknown, token = world.staffToken) =>
  call(world, token, "PATCH", `/v1/admin/franchises/${id}/commission`, { commissionBps });
const ids = (res: { json(): { items: Array<{ franchiseId: string }> } }) =>
  res.json().items.map((f) => f.franchiseId);

test("modifyCommission: registered at 200 bps, staff change it to 150 then 300; the history says who, when and what it replaced", async () => {
  const account = await openAtBank(merchant.name);
  const created = await call(world, merchant.token, "POST", "/v1/franchises", registration(account));
  assert.equal(created.statusCode, 201, created.body);
  const franchise = created.json();
  assert.match(franchise.franchiseId, /^fra_[0-9a-f]{32}$/);
  assert.deepEqual(
    { ...franchise, franchiseId: undefined, createdAt: undefined },
    {
      franchiseId: undefined,
      ownerId: merchant.membershipId,
      name: "Mapo Coffee",
      businessNumber: "124-81-00998",
      region: "Seoul",
      commissionBps: 200,
      settlementAccount: { ...account, holderName: merchant.name },
      status: "ACTIVE",
      createdAt: undefined,
    },
  );
  const id = franchise.franchiseId;

  for (const token of [customer.token, merchant.token]) {
    const refused = await setCommission(id, 100, token);
    assert.deepEqual([refused.statusCode, refused.json().code], [403, "FORBIDDEN"]);
    assert.equal((await history(id, token)).statusCode, 403);
  }
  const first = await setCommission(id, 150);
  assert.deepEqual([first.statusCode, first.json().commissionBps], [200, 150]);
  assert.equal((await setCommission(id, 300)).json().commissionBps, 300);
  assert.equal((await call(world, customer.token, "GET", `/v1/franchises/${id}`)).json().commissionBps, 300);

  const lines = (await history(id)).json();
  assert.deepEqual(
    lines.items.map((l: Record<string, unknown>) => [l.commissionBps, l.previousBps, l.changedBy]),
    [
      [300, 150, staffId],
      [150, 200, staffId],
      [200, null, merchant.membershipId],
    ],
  );
  const times = lines.items.map((l: { changedAt: string }) => Date.parse(l.changedAt));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
    "newest first",
  );
  assert.equal(lines.nextCursor, null);
  const page = (
    await call(world, world.staffToken, "GET", `/v1/admin/franchises/${id}/commission-history?limit=2`)
  ).json();
  const rest = await call(
    world,
    world.staffToken,
    "GET",
    `/v1/admin/franchises/${id}/commission-history?cursor=${page.nextCursor}`,
  );
  assert.deepEqual(
    rest.json().items.map((l: { previousBps: null }) => l.previousBps),
    [null],
  );

  assert.equal((await setCommission(id, 300)).json().commissionBps, 300, "the rate in force, set again");
  assert.equal((await history(id)).json().items.length, 3, "…is not a change");
  const events = await world.mypay.db.query<{ data: Record<string, unknown> }>(
    "SELECT data FROM membership.outbox WHERE type = 'CommissionChanged' AND data->>'franchiseId' = $1 ORDER BY id",
    [id],
  );
  assert.deepEqual(
    events.map((e) => [e.data.previousBps, e.data.commissionBps, e.data.changedBy]),
    [
      [200, 150, staffId],
      [150, 300, staffId],
    ],
  );
});

test("a settlement account in another's name, frozen, or at a bank without a contract is refused, and nothing is stored", async () => {
  const newcomer = await newMember(world, { type: "merchant" });
  const frozen = await openAtBank(newcomer.name);
  await bankCall(world.bank, "PATCH", `/accounts/${frozen.bankCode}/${frozen.accountNumber}`, {
    status: "FROZEN",
  });
  const cases: Array<[string, Ref, string]> = [
    ["another's name", await openAtBank(customer.name), "BANK_ACCOUNT_INVALID"],
    ["frozen", frozen, "BANK_ACCOUNT_INVALID"],
    ["unknown", { bankCode: "004", accountNumber: "999999999999" }, "BANK_ACCOUNT_INVALID"],
    ["no contract", { bankCode: "003", accountNumber: "123456789012" }, "BANK_NOT_SUPPORTED"],
  ];
  for (const [why, account, code] of cases) {
    const res = await call(world, newcomer.token, "POST", "/v1/franchises", registration(account));
    assert.deepEqual([res.statusCode, res.json().code], [422, code], why);
  }
  const own = await openAtBank(newcomer.name);
  for (const businessNumber of ["124-81-00999", "12-481-00998", "124810099", "124-81-0099a"]) {
    const body = { ...registration(own), businessNumber };
    const res = await call(world, newcomer.token, "POST", "/v1/franchises", body);
    assert.deepEqual([res.statusCode, res.json().code], [400, "VALIDATION_FAILED"], businessNumber);
  }
  const mine = await call(world, newcomer.token, "GET", "/v1/franchises");
  assert.deepEqual([mine.statusCode, mine.json().items], [200, []]);
  const [stored] = await world.mypay.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM membership.franchises WHERE owner_id = $1",
    [newcomer.membershipId],
  );
  assert.equal(stored?.n, 0);
});

test("only merchants register franchises: a customer and staff get 403, no token 401", async () => {
  const body = registration(await openAtBank(customer.name));
  const refused = await call(world, customer.token, "POST", "/v1/franchises", body);
  assert.deepEqual([refused.statusCode, refused.json().code], [403, "FORBIDDEN"]);
  assert.equal((await call(world, world.staffToken, "POST", "/v1/franchises", body)).statusCode, 403);
  const anonymous = await world.mypay.app.inject({ method: "POST", url: "/v1/franchises", payload: body });
  assert.equal(anonymous.statusCode, 401);
  assert.equal((await call(world, customer.token, "GET", "/v1/franchises")).statusCode, 403);
});

test("a commission is a whole number of bps from 0 to 10,000; anything else is 400 and the rate stays", async () => {
  const { franchiseId } = await registerFranchise(merchant, "Hongdae Bakery");
  for (const bad of [10_001, -1, 1.5, "150", null]) {
    const res = await setCommission(franchiseId, bad);
    assert.deepEqual([res.statusCode, res.json().code], [400, "VALIDATION_FAILED"], String(bad));
  }
  assert.equal((await setCommission(franchiseId, 0)).json().commissionBps, 0);
  assert.equal((await setCommission(franchiseId, 10_000)).json().commissionBps, 10_000);
  assert.equal((await history(franchiseId)).json().items.length, 3);
  for (const unknown of [newId("franchise"), "fra_nope", newId("payment")]) {
    assert.equal((await setCommission(unknown, 100)).statusCode, 404, unknown);
    assert.equal((await history(unknown)).statusCode, 404, unknown);
  }
});

test("concurrent commission changes each record the rate they replaced: the history is one chain", async () => {
  const { franchiseId } = await registerFranchise(merchant, "Gangnam Noodles");
  const answers = await Promise.all([110, 120, 130, 140].map((bps) => setCommission(franchiseId, bps)));
  assert.ok(answers.every((a) => a.statusCode === 200));
  const lines = (await history(franchiseId)).json().items as Array<{
    commissionBps: number;
    previousBps: number;
  }>;
  assert.equal(lines.length, 5);
  for (const [i, line] of lines.slice(0, -1).entries())
    assert.equal(line.previousBps, lines[i + 1]?.commissionBps);
  const now = (await call(world, merchant.token, "GET", `/v1/franchises/${franchiseId}`)).json();
  assert.equal(now.commissionBps, lines[0]?.commissionBps, "the newest line is the rate in force");
});

test("GET /v1/franchises/{id}: anyone signed in sees it; the settlement account only its owner and staff", async () => {
  const { franchiseId } = await registerFranchise(merchant, "Itaewon Diner");
  const rival = await newMember(world, { type: "merchant" });
  for (const [who, token, shown] of [
    ["owner", merchant.token, true],
    ["staff", world.staffToken, true],
    ["customer", customer.token, false],
    ["another merchant", rival.token, false],
  ] as const) {
    const res = await call(world, token, "GET", `/v1/franchises/${franchiseId}`);
    assert.equal(res.statusCode, 200, who);
    assert.equal(res.json().name, "Itaewon Diner", who);
    assert.equal("settlementAccount" in res.json(), shown, who);
  }
  for (const missing of [newId("franchise"), "fra_1", newId("membership")]) {
    const res = await call(world, customer.token, "GET", `/v1/franchises/${missing}`);
    assert.deepEqual([res.statusCode, res.json().code], [404, "NOT_FOUND"], missing);
  }
});

test("GET /v1/franchises: a merchant lists its own, newest first, page by page; staff list all or one owner's", async () => {
  const owner = await newMember(world, { type: "merchant" });
  const older = await registerFranchise(owner, "Older Store");
  const newer = await registerFranchise(owner, "Newer Store");
  const mine = await call(world, owner.token, "GET", "/v1/franchises");
  assert.deepEqual(ids(mine), [newer.franchiseId, older.franchiseId]);
  assert.ok(mine.json().items[0].settlementAccount, "a merchant sees its own settlement accounts");
  const page1 = await call(world, owner.token, "GET", "/v1/franchises?limit=1");
  assert.deepEqual(ids(page1), [newer.franchiseId]);
  const page2 = await call(
    world,
    owner.token,
    "GET",
    `/v1/franchises?limit=1&cursor=${page1.json().nextCursor}`,
  );
  assert.deepEqual([ids(page2), page2.json().nextCursor], [[older.franchiseId], null]);
  assert.ok(!ids(await call(world, merchant.token, "GET", "/v1/franchises")).includes(older.franchiseId));

  const all = ids(await call(world, world.staffToken, "GET", "/v1/franchises?limit=100"));
  assert.ok(all.includes(older.franchiseId) && all.some((id: string) => !ids(mine).includes(id)));
  const theirs = await call(world, world.staffToken, "GET", `/v1/franchises?ownerId=${owner.membershipId}`);
  assert.deepEqual(ids(theirs), [newer.franchiseId, older.franchiseId]);
  const snooping = await call(world, merchant.token, "GET", `/v1/franchises?ownerId=${owner.membershipId}`);
  assert.deepEqual([snooping.statusCode, snooping.json().code], [403, "FORBIDDEN"]);
  assert.equal((await call(world, owner.token, "GET", "/v1/franchises?limit=101")).statusCode, 400);
});

test("money opens the franchise's payable when it registers; other contexts read the franchise through the api", async () => {
  const { franchiseId } = await registerFranchise(merchant, "Jongno Books");
  const deadline = Date.now() + 10_000;
  let payable: Array<{ balance: number }> = [];
  while (payable.length === 0 && Date.now() < deadline) {
    payable = await world.mypay.db.query<{ balance: number }>(
      "SELECT balance FROM money.accounts WHERE id = $1",
      [`franchise_payable:${franchiseId}`],
    );
    if (payable.length === 0) await new Promise((r) => setTimeout(r, 25));
  }
  assert.deepEqual(
    payable.map((a) => Number(a.balance)),
    [0],
    "the payable is open and owes nothing",
  );
  const trial = (await call(world, world.staffToken, "GET", "/v1/admin/ledger/trial-balance")).json();
  assert.ok(trial.accounts.some((a: { account: string }) => a.account === "franchise_payable"));
  assert.equal(trial.totalDebit, trial.totalCredit);

  const details = await world.mypay.contexts.membershipApi.getFranchise(franchiseId);
  assert.equal(details?.ownerId, merchant.membershipId);
  assert.deepEqual([details?.status, details?.commissionBps], ["ACTIVE", 200]);
  assert.equal(details?.settlementAccount.holderName, merchant.name);
  assert.equal(await world.mypay.contexts.membershipApi.getFranchise(newId("franchise")), undefined);
});

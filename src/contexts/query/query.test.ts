import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { newId } from "../../kernel/ids.js";
import { waitFor } from "../../testing/bus.js";
import { call, newMember, startWorld, type World } from "../../testing/world.js";

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

type Stats = {
  total: { members: number; balance: number };
  groups: Array<{ region: string; members: number; balance: number }>;
};
const stats = async (): Promise<Stats> =>
  (await call(world, world.staffToken, "GET", "/v1/admin/stats/money?groupBy=region")).json();
const region = (s: Stats, name: string) => s.groups.find((g) => g.region === name);
/** A MoneyBalanceChanged as the bus carries it. */
const envelope = (id: string, data: unknown) => ({
  id,
  type: "MoneyBalanceChanged",
  version: 1,
  occurredAt: new Date().toISOString(),
  source: "money",
  correlationId: "test",
  causationId: null,
  data,
});

describe("money by region (read model fed by events)", () => {
  test("counts members and sums their money per region, eventually", async () => {
    const a = await newMember(world, { region: "Daegu" });
    const b = await newMember(world, { region: "Daegu" });
    await newMember(world, { region: "Incheon" });
    assert.equal(
      (await call(world, a.token, "POST", "/v1/money/recharge", { amount: 30_000 }, "q1")).json().status,
      "SUCCEEDED",
    );
    assert.equal(
      (await call(world, b.token, "POST", "/v1/money/recharge", { amount: 50_000 }, "q2")).json().status,
      "SUCCEEDED",
    );
    await waitFor(async () => region(await stats(), "Daegu")?.balance === 80_000);
    const s = await stats();
    assert.deepEqual(region(s, "Daegu"), { region: "Daegu", members: 2, balance: 80_000 });
    assert.deepEqual(region(s, "Incheon"), { region: "Incheon", members: 1, balance: 0 });
    assert.equal(
      s.total.balance,
      s.groups.reduce((n, g) => n + g.balance, 0),
    );
  });

  test("a member who moves region takes its money along", async () => {
    const c = await newMember(world, { region: "Gwangju" });
    await call(world, c.token, "POST", "/v1/money/recharge", { amount: 20_000 }, "q3");
    await waitFor(async () => region(await stats(), "Gwangju")?.balance === 20_000);
    const moved = await call(world, c.token, "PATCH", `/v1/memberships/${c.membershipId}`, {
      region: "Ulsan",
    });
    assert.equal(moved.statusCode, 200);
    await waitFor(async () => region(await stats(), "Ulsan")?.balance === 20_000);
    assert.equal(region(await stats(), "Gwangju")?.members ?? 0, 0);
  });

  test("an event delivered twice, or a balance arriving late, changes nothing", async () => {
    const d = await newMember(world, { region: "Sejong" });
    await call(world, d.token, "POST", "/v1/money/recharge", { amount: 40_000 }, "q4");
    await waitFor(async () => region(await stats(), "Sejong")?.balance === 40_000);
    const [last] = await world.mypay.db.query<{
      id: string;
      type: string;
      version: number;
      occurred_at: Date;
      source: string;
      correlation_id: string;
      data: unknown;
    }>(
      "SELECT * FROM money.outbox WHERE type = 'MoneyBalanceChanged' AND data->>'membershipId' = $1 ORDER BY seq DESC LIMIT 1",
      [d.membershipId],
    );
    const data = last!.data as { version: number };
    await world.mypay.bus.publish(envelope(last!.id, last!.data));
    await world.mypay.bus.publish(
      envelope(newId("event"), { ...data, balance: 999, version: data.version - 1 }),
    );
    assert.equal(region(await stats(), "Sejong")?.balance, 40_000);
  });

  test("events delivered together, one of them twice and the newest first, leave the newest balance", async () => {
    const g = await newMember(world, { region: "Jeju" });
    await call(world, g.token, "POST", "/v1/money/recharge", { amount: 10_000 }, "q5");
    await waitFor(async () => region(await stats(), "Jeju")?.balance === 10_000);
    const [last] = await world.mypay.db.query<{ data: { version: number } }>(
      "SELECT data FROM money.outbox WHERE type = 'MoneyBalanceChanged' AND data->>'membershipId' = $1 ORDER BY seq DESC LIMIT 1",
      [g.membershipId],
    );
    const v = last!.data.version;
    const change = (balance: number, version: number) =>
      envelope(newId("event"), { ...last!.data, balance, version });
    const newest = change(70_000, v + 2);
    // In process the batch is one delivery, handled in one statement; over NATS, one event at a time.
    const batch = [newest, change(50_000, v + 1), newest];
    const bus = world.mypay.bus;
    if (bus.publishMany) await bus.publishMany(batch);
    else for (const e of batch) await bus.publish(e);
    await waitFor(async () => region(await stats(), "Jeju")?.balance === 70_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(region(await stats(), "Jeju")?.balance, 70_000, "the older change arrived later and lost");
  });

  test("only staff may read it", async () => {
    const e = await newMember(world);
    const res = await call(world, e.token, "GET", "/v1/admin/stats/money?groupBy=region");
    assert.equal(res.statusCode, 403);
  });
});

describe("wallets follow membership events", () => {
  test("a redelivered MemberRegistered opens one wallet; MemberWithdrawn closes it", async () => {
    const f = await newMember(world);
    const wallets = async () =>
      (
        await world.mypay.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM money.accounts WHERE owner_id = $1",
          [f.membershipId],
        )
      )[0]?.n;
    await waitFor(async () => (await wallets()) === 2);
    const [registered] = await world.mypay.db.query<{ id: string; data: unknown }>(
      "SELECT id, data FROM membership.outbox WHERE type = 'MemberRegistered' AND data->>'membershipId' = $1",
      [f.membershipId],
    );
    await world.mypay.bus.publish({
      id: registered!.id,
      type: "MemberRegistered",
      version: 1,
      occurredAt: new Date().toISOString(),
      source: "membership",
      correlationId: "test",
      causationId: null,
      data: registered!.data,
    });
    assert.equal(await wallets(), 2, "money and points accounts, once");
    assert.equal((await call(world, f.token, "DELETE", `/v1/memberships/${f.membershipId}`)).statusCode, 204);
    await waitFor(async () => {
      const [row] = await world.mypay.db.query<{ status: string }>(
        "SELECT status FROM money.accounts WHERE id = $1",
        [`member_money:${f.membershipId}`],
      );
      return row?.status === "CLOSED";
    });
  });
});

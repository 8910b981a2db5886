import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Cluster, startCluster } from "../testing/cluster.js";
import { assertAppliedOnce, burst, prepareWorld } from "./burst.js";
import { allJourneys } from "./journeys.js";
import { myMoney, poll, staff } from "./steps.js";

// The distributed deployment as `npm run start:cluster` starts it (one process per context on its own
// PostgreSQL database, NATS JetStream, the gateway and the sandbox bank), reached only through the
// gateway: every end-to-end journey, then what must hold when a part of it fails.
let cluster: Cluster;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  cluster = await startCluster();
});
after(async () => {
  const code = await cluster.stop();
  assert.equal(code, 0, `the cluster stops cleanly on SIGTERM:\n${cluster.output().slice(-3000)}`);
});

describe("every journey, through the gateway of the distributed deployment", () => {
  for (const [name, journey] of Object.entries(allJourneys)) {
    test(name, { timeout: 180_000 }, () => journey(cluster.target));
  }
});

describe("when a part of the distributed deployment fails", () => {
  test("the money service killed (SIGKILL) in a burst: every answered request is applied once", {
    timeout: 240_000,
  }, async () => {
    const t = cluster.target;
    const world = await prepareWorld(t);
    const sent = await burst(t, world, {
      count: 60,
      concurrency: 6,
      seed: 7,
      during: async () => {
        await sleep(400);
        const pid = cluster.signal("money", "SIGKILL");
        await cluster.replaced("money", pid);
      },
    });
    await assertAppliedOnce(t, world, sent);
  });

  test("NATS stopped under load: writes go on, and the read models catch up once it is back", {
    timeout: 240_000,
  }, async () => {
    const t = cluster.target;
    const world = await prepareWorld(t, 4);
    await cluster.stopNats();
    let sent: Awaited<ReturnType<typeof burst>>;
    try {
      sent = await burst(t, world, { count: 24, concurrency: 4, seed: 11 });
      assert.ok(
        sent.every((s) => s.id !== undefined),
        "every payment and remittance was taken while NATS was down",
      );
    } finally {
      await cluster.startNats();
    }
    await assertAppliedOnce(t, world, sent);
    // The query side learns of them only through events: its view of each member catches up.
    const admin = await staff(t);
    for (const m of world.members) {
      const balance = (await myMoney(m)).balance;
      await poll(
        `the read model shows ${m.name}'s money`,
        async () =>
          (await admin.GET("/v1/admin/members/{id}/activity", { params: { path: { id: m.membershipId } } }))
            .data,
        (a) => a?.money?.balance === balance,
        60_000,
      );
    }
  });

  test("a service that stops answering: callers get 503 MONEY_UNAVAILABLE quickly, and nothing is left half-done", {
    timeout: 240_000,
  }, async () => {
    const t = cluster.target;
    const world = await prepareWorld(t, 3);
    const [a, b] = world.members;
    const pid = cluster.signal("money", "SIGSTOP");
    let sent: Awaited<ReturnType<typeof burst>> = [];
    try {
      // The gateway times out on money, then its breaker opens: answers come at once.
      const answers: Array<{ status: number; code: string; ms: number }> = [];
      for (let i = 0; i < 8; i++) {
        const started = performance.now();
        const r = await a!.client.GET("/v1/money/me");
        answers.push({
          status: r.response.status,
          code: (r.error as { code?: string })?.code ?? "",
          ms: performance.now() - started,
        });
      }
      assert.ok(
        answers.every((x) => x.status === 503 && x.code === "MONEY_UNAVAILABLE"),
        JSON.stringify(answers),
      );
      assert.ok(
        answers.slice(-2).every((x) => x.ms < 200),
        `an open breaker answers at once: ${JSON.stringify(answers)}`,
      );
      // A remittance needs money: it is taken, and waits (PENDING) rather than half-done.
      const r = await a!.client.POST("/v1/remittances", {
        params: { header: { "idempotency-key": `slow-${b!.membershipId}` } },
        body: { to: { membershipId: b!.membershipId }, amount: 1_000 },
      });
      assert.ok(
        [201, 503].includes(r.response.status),
        `remittance while money is stopped: ${r.response.status}`,
      );
      if (r.data) {
        assert.equal(r.data.status, "PENDING");
        sent = [
          {
            kind: "remittance",
            from: a!,
            to: b!,
            amount: 1_000,
            id: r.data.remittanceId,
            tries: 1,
            refused: undefined,
          },
        ];
      }
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await assertAppliedOnce(t, world, sent);
  });

  test("a rolling restart of every service under steady load loses no accepted request", {
    timeout: 300_000,
  }, async () => {
    const t = cluster.target;
    const world = await prepareWorld(t, 4);
    const before = cluster.state().services;
    const sent = await burst(t, world, {
      count: 80,
      concurrency: 4,
      seed: 23,
      during: () => cluster.rollingRestart(),
    });
    const afterRestart = cluster.state().services;
    for (const name of Object.keys(before) as Array<keyof typeof before>) {
      assert.notEqual(afterRestart[name].pid, before[name].pid, `${name} runs in a new process`);
    }
    await assertAppliedOnce(t, world, sent);
  });
});

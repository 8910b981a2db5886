import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { type Cluster, startCluster } from "../testing/cluster.js";
import { startOtlpReceiver } from "../testing/otlp.js";
import { assertAppliedOnce, burst, prepareWorld, summary } from "./burst.js";
import { allJourneys } from "./journeys.js";
import { myMoney, poll, recharge, signUp, staff } from "./steps.js";

// The distributed deployment as `npm run start:cluster` starts it (one process per context on its own
// PostgreSQL database, NATS JetStream, the gateway and the sandbox bank), reached only through the
// gateway: every end-to-end journey, then what must hold when a part of it fails.
let cluster: Cluster;
let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  otlp = await startOtlpReceiver();
  cluster = await startCluster({ otlpUrl: otlp.url });
});
after(async () => {
  const code = await cluster.stop();
  await otlp.close();
  assert.equal(code, 0, `the cluster stops cleanly on SIGTERM:\n${cluster.output().slice(-3000)}`);
});

describe("the gateway and the services", () => {
  test("the gateway serves one OpenAPI document with every public route, and never an internal one", async () => {
    const t = cluster.target;
    const embedded = JSON.parse(
      readFileSync(new URL("../../packages/client/openapi.json", import.meta.url), "utf8"),
    );
    const merged = (await (await fetch(`${t.baseUrl}/docs/json`)).json()) as {
      paths: Record<string, unknown>;
    };
    const publicPaths = (doc: { paths: Record<string, unknown> }) =>
      Object.keys(doc.paths)
        .filter((p) => p.startsWith("/v1/"))
        .sort();
    assert.deepEqual(
      publicPaths(merged),
      publicPaths(embedded),
      "the same routes as the embedded deployment",
    );
    assert.match(await (await fetch(`${t.baseUrl}/docs`)).text(), /swagger/i, "Swagger UI");
    const internal = await fetch(`${t.baseUrl}/internal/money/balances`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ args: ["mem_0"] }),
    });
    assert.equal(internal.status, 404, "the gateway does not route internal calls");
  });

  test("every service answers /health, /ready (its database and NATS) and /metrics, and its internal routes want the service token", async () => {
    for (const [name, service] of Object.entries(cluster.state().services)) {
      const base = `http://127.0.0.1:${service.port}`;
      assert.equal((await fetch(`${base}/health`)).status, 200, `${name} /health`);
      const ready = (await (await fetch(`${base}/ready`)).json()) as {
        status: string;
        checks: Record<string, string>;
      };
      assert.deepEqual(
        [ready.status, ready.checks.database, ready.checks.eventBus],
        ["ready", "ok", "ok"],
        name,
      );
      assert.match(await (await fetch(`${base}/metrics`)).text(), /^# HELP/m, `${name} /metrics`);
    }
    const money = `http://127.0.0.1:${cluster.state().services.money.port}`;
    const refused = await fetch(`${money}/internal/money/balances`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer guess" },
      body: JSON.stringify({ args: ["mem_0"] }),
    });
    assert.equal(refused.status, 401);
  });
});

describe("the web app, served by the gateway", () => {
  test("the pages and the browser's session routes work through the gateway", async () => {
    const t = cluster.target;
    const shell = await fetch(`${t.baseUrl}/admin/banks`, { headers: { accept: "text/html" } });
    assert.equal(shell.status, 200);
    assert.match(shell.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(await shell.text())?.[1];
    assert.ok(script, "the shell names its script");
    assert.equal((await fetch(`${t.baseUrl}${script}`)).status, 200);
    // Login through the gateway's proxy to membership: the refresh token only in the cookie.
    const headers = { "content-type": "application/json", "x-mypay-web": "1" };
    const login = await fetch(`${t.baseUrl}/web/auth/login`, {
      method: "POST",
      headers,
      body: JSON.stringify({ email: t.adminEmail, password: t.adminPassword }),
    });
    assert.equal(login.status, 200);
    const body = (await login.json()) as { accessToken?: string; refreshToken?: string };
    assert.ok(body.accessToken && body.refreshToken === undefined);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    assert.match(cookie, /^mypay_refresh=.+/);
    const refreshed = await fetch(`${t.baseUrl}/web/auth/refresh`, {
      method: "POST",
      headers: { ...headers, cookie },
      body: "{}",
    });
    assert.equal(refreshed.status, 200);
    const logout = await fetch(`${t.baseUrl}/web/auth/logout`, {
      method: "POST",
      headers: { ...headers, cookie: (refreshed.headers.get("set-cookie") ?? "").split(";")[0]! },
      body: "{}",
    });
    assert.equal(logout.status, 204);
  });
});

describe("one request, followed across the services", () => {
  test("a remittance's spans in the gateway and every service it reaches share the caller's trace id", async () => {
    const t = cluster.target;
    const [a, b] = [await signUp(t), await signUp(t)];
    await recharge(a!, 10_000);
    const traceId = randomBytes(16).toString("hex");
    const sent = await fetch(`${t.baseUrl}/v1/remittances`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${a!.client.accessToken}`,
        "content-type": "application/json",
        "idempotency-key": `trace-${traceId}`,
        traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01`,
      },
      body: JSON.stringify({ to: { membershipId: b!.membershipId }, amount: 1_000 }),
    });
    assert.equal(sent.status, 201, await sent.clone().text());
    const services = await poll(
      "the remittance's spans reach the collector",
      async () => new Set(otlp.spans.filter((s) => s.traceId === traceId).map((s) => s.service)),
      (seen) =>
        ["mypay-gateway", "mypay-remittance", "mypay-membership", "mypay-money"].every((n) => seen.has(n)),
      30_000,
    );
    assert.ok(services.size >= 4, [...services].join(", "));
  });
});

describe("every journey, through the gateway of the distributed deployment", () => {
  for (const [name, journey] of Object.entries(allJourneys)) {
    test(name, { timeout: 180_000 }, () => journey(cluster.target));
  }
});

describe("when a part of the distributed deployment fails", () => {
  test("the money service killed (SIGKILL) in a burst: every answered request is applied once", {
    timeout: 240_000,
  }, async (tc) => {
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
    tc.diagnostic(summary(sent));
    assert.ok(
      sent.some((s) => s.duringFailure),
      "requests were sent while it failed",
    );
    await assertAppliedOnce(t, world, sent);
  });

  test("NATS stopped under load: writes go on, and the read models catch up once it is back", {
    timeout: 240_000,
  }, async (tc) => {
    const t = cluster.target;
    const world = await prepareWorld(t, 4);
    const sent = await burst(t, world, {
      count: 24,
      concurrency: 4,
      seed: 11,
      during: async () => {
        await cluster.stopNats();
        await sleep(4_000);
        await cluster.startNats();
      },
    });
    tc.diagnostic(summary(sent));
    const whileDown = sent.filter((s) => s.duringFailure);
    assert.ok(whileDown.length > 0, "requests were sent while NATS was down");
    assert.ok(
      whileDown.every((s) => s.id !== undefined && s.tries === 1),
      "every payment and remittance was taken at the first try while NATS was down",
    );
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
  }, async (t0) => {
    const t = cluster.target;
    const world = await prepareWorld(t, 3);
    const [a, b] = world.members;
    const pid = cluster.signal("money", "SIGSTOP");
    let sent: Awaited<ReturnType<typeof burst>> = [];
    try {
      // Callers at once: the gateway times out on money, its breaker opens, and the next answers come at once.
      const ask = async () => {
        const started = performance.now();
        const r = await a!.client.GET("/v1/money/me");
        const code = (r.error as { code?: string })?.code ?? "";
        return { status: r.response.status, code, ms: Math.round(performance.now() - started) };
      };
      const first = await Promise.all(Array.from({ length: 6 }, ask));
      const next = [await ask(), await ask(), await ask()];
      const answers = [...first, ...next];
      t0.diagnostic(`while money is stopped: ${JSON.stringify(answers)}`);
      assert.ok(
        answers.every((x) => x.status === 503 && x.code === "MONEY_UNAVAILABLE"),
        JSON.stringify(answers),
      );
      assert.ok(
        next.every((x) => x.ms < 200),
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
    t0.diagnostic(summary(sent));
    await assertAppliedOnce(t, world, sent);
  });

  test("a rolling restart of every service and the gateway under steady load loses no accepted request", {
    timeout: 300_000,
  }, async (tc) => {
    const t = cluster.target;
    const world = await prepareWorld(t, 4);
    const { services: before, gatewayPid } = cluster.state();
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
    assert.notEqual(cluster.state().gatewayPid, gatewayPid, "the gateway runs in a new process");
    tc.diagnostic(summary(sent));
    assert.ok(
      sent.some((s) => s.duringFailure),
      "requests were sent while it failed",
    );
    await assertAppliedOnce(t, world, sent);
  });
});

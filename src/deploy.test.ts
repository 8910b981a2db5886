import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { contextNames, loadConfig } from "./platform/config.js";

// The distributed deployment's files, checked with no Docker engine or cluster: every context and the
// gateway is deployed, wired to its own database, the bus, the other services and only the secrets it
// needs, with names and values that loadConfig accepts.
const root = resolve(new URL("..", import.meta.url).pathname);
const read = (path: string) => readFileSync(join(root, path), "utf8");
const roles = [...contextNames, "gateway"] as const;
type Role = (typeof roles)[number];
const k8sFiles = readdirSync(join(root, "deploy/k8s")).filter((f) => f.endsWith(".yaml"));

/** One mypay process as a deployment file defines it, secrets and config maps resolved. */
interface Process {
  readonly env: Record<string, string>;
  /** The variables set from a secret, with the secret's name (compose) or key (Kubernetes). */
  readonly secretEnv: Record<string, string>;
  /** The secret a file inside the container holds. */
  secretAt(path: string): string | undefined;
  /** Every secret the process can read. */
  readonly secrets: ReadonlySet<string>;
}
interface Platform {
  readonly processes: Record<Role, Process>;
  /** The process that answers at the URL's host and port. */
  reach(url: URL): string | undefined;
}

interface ComposeService {
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  secrets?: (string | { source: string; target?: string })[];
  ports?: unknown[];
  healthcheck?: { test?: string | string[] };
  depends_on?: string[] | Record<string, { condition?: string }>;
  stop_grace_period?: string;
  volumes?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file?: string }>;
}

const compose = (): Compose => parse(read("compose.yaml"), { merge: true }) as Compose;
const words = (command: string | string[] | undefined) => [command ?? []].flat().join(" ");

function composeEnv(s: ComposeService): Record<string, string> {
  const entries = Array.isArray(s.environment)
    ? s.environment.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)])
    : Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]);
  return Object.fromEntries(entries);
}

function composeProcess(s: ComposeService): Process {
  const mounts = (s.secrets ?? []).map((x) => (typeof x === "string" ? { source: x, target: x } : x));
  const secretAt = (path: string) =>
    mounts.find(({ source, target = source }) => path === target || path === `/run/secrets/${target}`)
      ?.source;
  const env = composeEnv(s);
  const secretEnv: Record<string, string> = {};
  // A variable with no _FILE form is read from the secret by the command: NAME="$(cat /run/secrets/x)".
  for (const [, name, path] of words(s.command).matchAll(/(MYPAY_\w+)="?\$\$?\(cat ([^)\s"]+)\)/g)) {
    secretEnv[name!] = secretAt(path!) ?? `(${path} is not mounted)`;
    env[name!] = `secret:${secretEnv[name!]}`;
  }
  return { env, secretEnv, secretAt, secrets: new Set(mounts.map((m) => m.source)) };
}

/** The port a compose service's process listens on: the sandbox bank's, or mypay's. */
function composePort(s: ComposeService): number {
  const env = composeEnv(s);
  return words(s.command).includes("sandbox-bank")
    ? Number(env.MYPAY_BANK_PORT ?? 8090)
    : Number(env.MYPAY_PORT);
}

function composePlatform(): Platform {
  const { services } = compose();
  const processes = Object.fromEntries(
    roles.map((r) => {
      assert.ok(services[r], `compose.yaml has a service "${r}"`);
      return [r, composeProcess(services[r]!)];
    }),
  ) as Record<Role, Process>;
  const reach = (url: URL) => {
    const s = services[url.hostname];
    return s && composePort(s) === Number(url.port) ? url.hostname : undefined;
  };
  return { processes, reach };
}

interface Container {
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string }[];
  readinessProbe?: { httpGet?: { path: string; port: number | string } };
  livenessProbe?: { httpGet?: { path: string; port: number | string } };
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } };
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; readOnlyRootFilesystem?: boolean };
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
}
interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, unknown>;
  stringData?: Record<string, unknown>;
  spec?: {
    template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
    type?: string;
    selector?: Record<string, unknown>;
    ports?: { name?: string; port: number; targetPort?: number | string }[];
    rules?: { http?: { paths: { backend: { service: { name: string } } }[] } }[];
  };
}

function k8sObjects(): K8sObject[] {
  return k8sFiles.flatMap((file) =>
    parseAllDocuments(read(`deploy/k8s/${file}`)).map((doc) => {
      assert.deepEqual(doc.errors, [], `deploy/k8s/${file} is valid YAML`);
      return doc.toJS() as K8sObject;
    }),
  );
}

function one(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  assert.equal(found.length, 1, `deploy/k8s has one ${kind} "${name}"`);
  return found[0]!;
}

function secretData(objects: K8sObject[], name: string): Record<string, string> {
  const s = one(objects, "Secret", name);
  const data = Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), "base64").toString()]);
  return { ...Object.fromEntries(data), ...(s.stringData as Record<string, string>) };
}

function k8sProcess(objects: K8sObject[], pod: PodSpec): Process {
  const c = pod.containers[0]!;
  const env: Record<string, string> = {};
  const secretEnv: Record<string, string> = {};
  const secrets = new Set<string>();
  for (const { configMapRef, secretRef } of c.envFrom ?? []) {
    if (configMapRef) Object.assign(env, one(objects, "ConfigMap", configMapRef.name).data);
    if (!secretRef) continue;
    const data = secretData(objects, secretRef.name);
    Object.assign(env, data);
    for (const k of Object.keys(data)) secrets.add(k);
  }
  for (const { name, value, valueFrom } of c.env ?? []) {
    const ref = valueFrom?.secretKeyRef;
    env[name] = ref ? secretData(objects, ref.name)[ref.key]! : (value ?? "");
    if (!ref) continue;
    secretEnv[name] = ref.key;
    secrets.add(ref.key);
  }
  for (const v of pod.volumes ?? [])
    if (v.secret)
      for (const key of v.secret.items?.map((i) => i.key) ??
        Object.keys(secretData(objects, v.secret.secretName)))
        secrets.add(key);
  const secretAt = (path: string) => {
    for (const m of c.volumeMounts ?? []) {
      const secret = pod.volumes?.find((v) => v.name === m.name)?.secret;
      if (!secret || !path.startsWith(`${m.mountPath}/`)) continue;
      const file = path.slice(m.mountPath.length + 1);
      const key = secret.items ? secret.items.find((i) => i.path === file)?.key : file;
      if (key !== undefined && key in secretData(objects, secret.secretName)) return key;
    }
    return undefined;
  };
  return { env, secretEnv, secretAt, secrets };
}

function k8sPlatform(): Platform {
  const objects = k8sObjects();
  const pod = (r: string) => one(objects, "Deployment", r).spec!.template!.spec;
  const processes = Object.fromEntries(roles.map((r) => [r, k8sProcess(objects, pod(r))])) as Record<
    Role,
    Process
  >;
  // Service name and port → its targetPort → the container port of the Deployment it selects → MYPAY_PORT.
  const reach = (url: URL) => {
    const service = objects.find((o) => o.kind === "Service" && o.metadata.name === url.hostname);
    const port = service?.spec?.ports?.find((p) => p.port === Number(url.port));
    const selector = Object.entries(service?.spec?.selector ?? {});
    const targets = objects.filter(
      (o) =>
        o.kind === "Deployment" && selector.every(([k, v]) => o.spec?.template?.metadata?.labels?.[k] === v),
    );
    const target = targets.length === 1 ? targets[0] : undefined;
    if (!port || !target || selector.length === 0) return undefined;
    const c = target.spec!.template!.spec.containers[0]!;
    const listens = c.ports?.find((p) => p.name === port.targetPort || p.containerPort === port.targetPort);
    const role = target.metadata.name;
    const env = processes[role as Role]?.env;
    return listens && env && Number(env.MYPAY_PORT) === listens.containerPort ? role : undefined;
  };
  return { processes, reach };
}

for (const [name, platform] of [
  ["compose.yaml", composePlatform],
  ["deploy/k8s", k8sPlatform],
] as const) {
  describe(`the distributed deployment in ${name}`, () => {
    test("every context and the gateway is deployed, listening where its name says", () => {
      const p = platform();
      for (const r of roles)
        assert.equal(p.reach(new URL(`http://${r}:8080`)), r, `${r} answers at ${r}:8080`);
    });

    test("each process runs exactly its own role, on 0.0.0.0:8080 with no sandbox bank, as loadConfig reads it", () => {
      const p = platform();
      for (const r of roles) {
        const { env, secretAt } = p.processes[r];
        assert.equal(env.MYPAY_CONTEXTS, r, `${r}'s MYPAY_CONTEXTS names it alone`);
        const config = loadConfig(
          env,
          (path) => `secret:${secretAt(path) ?? assert.fail(`${r}: ${path} is no secret`)}`,
        );
        assert.deepEqual([config.gateway, config.contexts], r === "gateway" ? [true, []] : [false, [r]], r);
        assert.deepEqual(
          [config.host, config.port, config.bankPort],
          ["0.0.0.0", 8080, 0],
          `${r} listens on 0.0.0.0:8080`,
        );
      }
    });

    test("each context has its own database, the bus and the service token; the gateway neither", () => {
      const p = platform();
      const databases = contextNames.map((c) => p.processes[c].env.MYPAY_DATABASE_URL ?? "");
      assert.equal(
        new Set(databases).size,
        contextNames.length,
        `a database per context: ${databases.join(" ")}`,
      );
      for (const c of contextNames) {
        const { env, secretAt, secretEnv } = p.processes[c];
        const db = new URL(env.MYPAY_DATABASE_URL ?? "missing:");
        assert.deepEqual(
          [db.protocol, db.pathname],
          ["postgres:", `/mypay_${c}`],
          `${c}'s database is mypay_${c}`,
        );
        assert.match(
          env.MYPAY_BUS_URL ?? "",
          /^nats:\/\/[\w.-]+:4222$/,
          `${c} publishes and consumes through NATS`,
        );
        const token = secretAt(env.MYPAY_SERVICE_TOKEN_FILE ?? "") ?? secretEnv.MYPAY_SERVICE_TOKEN;
        assert.equal(token, "service-token", `${c} has the service token from the secret`);
      }
      const gateway = p.processes.gateway.env;
      assert.deepEqual(
        [gateway.MYPAY_DATABASE_URL, gateway.MYPAY_BUS_URL],
        [undefined, undefined],
        "the gateway has no database or bus",
      );
    });

    test("MYPAY_SERVICE_URLS is one map, naming all seven contexts where each listens", () => {
      const p = platform();
      const maps = new Set(roles.map((r) => p.processes[r].env.MYPAY_SERVICE_URLS));
      assert.equal(maps.size, 1, `every process has the same MYPAY_SERVICE_URLS: ${[...maps].join(" | ")}`);
      const urls = loadConfig({ MYPAY_SERVICE_URLS: [...maps][0] }).serviceUrls;
      assert.deepEqual(Object.keys(urls).sort(), [...contextNames].sort(), "it names every context");
      for (const [c, url] of Object.entries(urls))
        assert.equal(p.reach(new URL(url)), c, `${url} reaches ${c}`);
    });

    test("every process but membership verifies tokens with membership's JWKS", () => {
      const p = platform();
      for (const r of roles.filter((x) => x !== "membership")) {
        const jwks = new URL(p.processes[r].env.MYPAY_AUTH_JWKS_URL ?? "missing:");
        assert.equal(p.reach(jwks), "membership", `${r}'s MYPAY_AUTH_JWKS_URL ${jwks} reaches membership`);
        assert.equal(jwks.pathname, "/v1/auth/jwks", `${r} fetches /v1/auth/jwks`);
      }
    });

    test("only membership can read the signing key and the admin password, both from secrets", () => {
      const { processes } = platform();
      const m = processes.membership;
      assert.equal(
        m.secretAt(m.env.MYPAY_SIGNING_KEY_FILE ?? ""),
        "signing-key",
        "membership's MYPAY_SIGNING_KEY_FILE",
      );
      assert.equal(
        m.secretAt(m.env.MYPAY_ADMIN_PASSWORD_FILE ?? "") ?? m.secretEnv.MYPAY_ADMIN_PASSWORD,
        "admin-password",
        "membership's MYPAY_ADMIN_PASSWORD (or its _FILE)",
      );
      for (const r of roles.filter((x) => x !== "membership")) {
        const { env, secrets } = processes[r];
        for (const s of ["signing-key", "admin-password"])
          assert.ok(!secrets.has(s), `${r} cannot read ${s}`);
        const named = Object.keys(env).filter((k) => /SIGNING_KEY|ADMIN_PASSWORD/.test(k));
        assert.deepEqual(named, [], `${r} sets no signing key or admin password`);
      }
    });
  });
}

test("every MYPAY_* variable the deployment files name is one that loadConfig reads", () => {
  const source = read("src/platform/config.ts")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|\s)\/\/.*$/gm, "");
  const known = new Set([...source.matchAll(/"(MYPAY_\w+)"|env\.(MYPAY_\w+)/g)].map((m) => (m[1] ?? m[2])!));
  for (const m of source.matchAll(/secret\(\s*env,\s*"(MYPAY_\w+)"/g)) known.add(`${m[1]}_FILE`);
  for (const name of [
    "MYPAY_PORT",
    "MYPAY_CONTEXTS",
    "MYPAY_BANK_PORT",
    "MYPAY_DATA_DIR",
    "MYPAY_SERVICE_TOKEN_FILE",
  ])
    assert.ok(known.has(name), `config.ts is read for ${name}`);
  const files = [
    "Dockerfile",
    "compose.yaml",
    "deploy/README.md",
    "deploy/secrets/README.md",
    ...k8sFiles.map((f) => `deploy/k8s/${f}`),
  ];
  for (const file of files) {
    for (const [name] of read(file).matchAll(/MYPAY_\w+/g))
      assert.ok(known.has(name), `${file} names ${name}, which mypay never reads`);
  }
});

test("compose: readiness healthchecks, start order, time to stop, and only the gateway and the sandbox bank published", () => {
  const { services } = compose();
  for (const r of roles) {
    const s = services[r]!;
    assert.match(
      words(s.healthcheck?.test),
      new RegExp(`127\\.0\\.0\\.1:${composePort(s)}/ready\\b`),
      `${r}'s healthcheck asks /ready`,
    );
    assert.ok(Number.parseInt(s.stop_grace_period ?? "0", 10) >= 20, `${r} has at least 20 s to stop`);
    assert.doesNotMatch(words(s.command), /\bnpm\b/, `${r} runs node, not npm`);
    if (s.command)
      assert.match(words(s.command), /exec node dist\/main\.js$/, `${r}'s command ends in node dist/main.js`);
    const needs = Array.isArray(s.depends_on) ? {} : (s.depends_on ?? {});
    const wanted =
      r === "gateway" ? contextNames : ["postgres", "nats", ...(r === "membership" ? [] : ["membership"])];
    for (const w of wanted)
      assert.equal(needs[w]?.condition, "service_healthy", `${r} waits for ${w} to be healthy`);
  }
  const published = Object.keys(services).filter((n) => services[n]!.ports?.length);
  assert.deepEqual(
    published.sort(),
    ["gateway", "sandbox-bank"],
    "only the gateway and the sandbox bank publish ports",
  );
  assert.deepEqual(services.gateway!.ports, ["8080:8080"], "the gateway is published on 8080");
});

test("compose: PostgreSQL creates each context's database, NATS runs JetStream, the contexts find the sandbox bank", () => {
  const { services } = compose();
  const postgres = services.postgres!;
  const init = postgres.volumes?.find((v) => v.includes(":/docker-entrypoint-initdb.d/"));
  assert.ok(init, "postgres mounts an init script");
  const created = [...read(init.split(":")[0]!).matchAll(/CREATE DATABASE (\w+)/gi)].map((m) => m[1]);
  assert.deepEqual(
    created.sort(),
    contextNames.map((c) => `mypay_${c}`).sort(),
    `${init} creates the seven databases`,
  );
  assert.match(words(services.nats?.command), /(^| )-js( |$)/, "nats runs with JetStream");
  const bank = services["sandbox-bank"]!;
  assert.match(
    words(bank.command),
    /^node dist\/sandbox-bank\/main\.js$/,
    "the sandbox bank runs from dist/",
  );
  for (const c of contextNames) {
    const env = composeEnv(services[c]!);
    assert.equal(
      new URL(env.MYPAY_DATABASE_URL!).host,
      "postgres:5432",
      `${c}'s database is on compose's postgres`,
    );
    assert.equal(new URL(env.MYPAY_BUS_URL!).hostname, "nats", `${c}'s bus is compose's nats`);
    assert.equal(
      env.MYPAY_BANK_URL,
      `http://sandbox-bank:${composePort(bank)}`,
      `${c} calls the sandbox bank where it listens`,
    );
  }
});

test("compose: the secrets are files under deploy/secrets/, which git ignores (all but the README)", () => {
  const secrets = Object.entries(compose().secrets ?? {});
  assert.deepEqual(secrets.map(([n]) => n).sort(), ["admin-password", "service-token", "signing-key"]);
  const ignored = (path: string) =>
    spawnSync("git", ["check-ignore", "-q", "--no-index", path], { cwd: root }).status;
  for (const [name, { file }] of secrets) {
    assert.match(
      file ?? "",
      /^\.\/deploy\/secrets\/[\w.-]+$/,
      `secret ${name} is a file under deploy/secrets/`,
    );
    assert.equal(ignored(file!), 0, `git ignores ${file}`);
  }
  assert.equal(ignored("deploy/secrets/README.md"), 1, "git keeps deploy/secrets/README.md");
});

/** The Dockerfile's instructions, continuation lines joined and comments dropped, split by FROM. */
function dockerStages(): string[][] {
  const lines = read("Dockerfile").replace(/\\\n/g, " ").split("\n");
  const instructions = lines.map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const stages: string[][] = [];
  for (const i of instructions) {
    if (/^FROM /i.test(i)) stages.push([i]);
    else stages.at(-1)?.push(i);
  }
  return stages;
}

/** The user the image runs as (the runtime stage's last USER), without its group. */
const imageUser = () =>
  dockerStages()
    .at(-1)!
    .findLast((i) => /^USER /i.test(i))
    ?.slice(5)
    .split(":")[0];

test("deploy/k8s: every Deployment probes /ready and /health on its port, has 20 s to stop, runs non-root and read-only", () => {
  const objects = k8sObjects();
  const user = imageUser();
  for (const r of roles) {
    const pod = one(objects, "Deployment", r).spec!.template!.spec;
    const c = pod.containers[0]!;
    const port = c.ports?.[0];
    const onPort = (p?: number | string) =>
      p === port?.containerPort || (p !== undefined && p === port?.name);
    assert.ok(
      c.readinessProbe?.httpGet?.path === "/ready" && onPort(c.readinessProbe.httpGet.port),
      `${r}: readiness on /ready at its port`,
    );
    assert.ok(
      c.livenessProbe?.httpGet?.path === "/health" && onPort(c.livenessProbe.httpGet.port),
      `${r}: liveness on /health at its port`,
    );
    assert.ok((pod.terminationGracePeriodSeconds ?? 0) >= 20, `${r}: terminationGracePeriodSeconds ≥ 20`);
    const security = { ...pod.securityContext, ...c.securityContext };
    assert.equal(security.runAsNonRoot, true, `${r}: runAsNonRoot`);
    // runAsNonRoot can only verify a numeric user: the image's, or one the pod names.
    assert.ok(/^\d+$/.test(user ?? "") || security.runAsUser !== undefined, `${r}: a numeric user to run as`);
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${r}: read-only root filesystem`);
    const { requests, limits } = c.resources ?? {};
    assert.ok(
      requests?.cpu && requests.memory && limits?.memory,
      `${r}: resource requests and a memory limit`,
    );
  }
});

test("deploy/k8s: kustomize applies every manifest into namespace mypay, and only the gateway is exposed", () => {
  const kustomization = parse(read("deploy/k8s/kustomization.yaml")) as {
    namespace?: string;
    resources?: string[];
  };
  assert.deepEqual(
    [...(kustomization.resources ?? [])].sort(),
    k8sFiles.filter((f) => f !== "kustomization.yaml").sort(),
    "kustomization.yaml lists every manifest",
  );
  assert.equal(kustomization.namespace, "mypay");
  const objects = k8sObjects().filter((o) => o.kind !== "Kustomization");
  one(objects, "Namespace", "mypay");
  for (const o of objects.filter((x) => x.kind === "ConfigMap" || x.kind === "Secret")) {
    for (const [k, v] of Object.entries({ ...o.data, ...o.stringData }))
      assert.equal(typeof v, "string", `${o.kind} ${o.metadata.name}: ${k} is a string`);
  }
  for (const s of objects.filter((o) => o.kind === "Service"))
    assert.equal(s.spec?.type ?? "ClusterIP", "ClusterIP", `Service ${s.metadata.name} is internal`);
  const backends = objects
    .filter((o) => o.kind === "Ingress")
    .flatMap((o) => o.spec?.rules?.flatMap((x) => x.http?.paths ?? []) ?? []);
  for (const b of backends)
    assert.equal(b.backend.service.name, "gateway", "an Ingress routes to the gateway only");
});

test("Dockerfile: a build stage with npm ci, a runtime stage running node under tini as a non-root user", () => {
  const stages = dockerStages();
  assert.ok(stages.length >= 2, "a multi-stage build");
  const build = stages.slice(0, -1).flat();
  const runtime = stages.at(-1)!;
  assert.ok(
    build.some((i) => /^RUN .*\bnpm ci\b/.test(i)),
    "the build runs npm ci from the lockfile",
  );
  assert.ok(
    build.some((i) => /^RUN .*\bnpm run build\b.*\bnpm prune --omit=dev\b/.test(i)),
    "then builds dist/ and drops dev dependencies",
  );
  for (const path of ["dist", "node_modules", "package.json", "web/dist"])
    assert.ok(
      runtime.some((i) => new RegExp(`^COPY --from=\\S+ \\S*\\b${path}\\b`).test(i)),
      `the runtime copies ${path} from the build`,
    );
  assert.ok(!runtime.some((i) => /^COPY .*\bsrc\b/.test(i)), "the runtime holds no sources");
  const user = imageUser();
  assert.ok(user && !["root", "0"].includes(user), `the runtime runs as a non-root user, not ${user}`);
  const json = (name: string) =>
    JSON.parse(runtime.findLast((i) => i.startsWith(`${name} `))?.slice(name.length) ?? "[]") as string[];
  const [entrypoint, cmd] = [json("ENTRYPOINT"), json("CMD")];
  assert.ok(
    /\b(tini|dumb-init)$/.test(entrypoint[0] ?? "") || /--init\b/.test(read("Dockerfile")),
    "an init runs node",
  );
  assert.deepEqual(cmd, ["node", "dist/main.js"], "CMD runs node dist/main.js, not npm");
  assert.ok(!entrypoint.includes("npm"), "no npm in the entrypoint");
  assert.ok(runtime.includes("EXPOSE 8080"), "EXPOSE 8080");
});

// The browser journeys' harness (issue 10): a real `npm start` on a fresh data folder and free ports,
// Debian's Chromium driven by playwright-core, screenshots under test-results/, and axe's audit.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { createMypayClient, expectOk, type MypayClient } from "../../../packages/client/src/index.js";
import { freePort } from "../../testing/ports.js";

const root = new URL("../../..", import.meta.url).pathname;
export const resultsDir = join(root, "test-results");
export const adminEmail = "admin@mypay.local";
export const adminPassword = "web-e2e-admin-password";

export interface Running {
  baseUrl: string;
  bankUrl: string;
  log(): string;
  stop(): Promise<void>;
}

/** `npm start`, as the README runs it, with the bank's answers waited for `bankTimeoutMs`. */
export async function startMypay(options: { bankTimeoutMs?: number } = {}): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), "mypay-web-"));
  const [port, bankPort] = [await freePort(), await freePort()];
  let log = "";
  const child: ChildProcess = spawn("npm", ["start", "--silent"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      MYPAY_DATA_DIR: dataDir,
      MYPAY_PORT: String(port),
      MYPAY_BANK_PORT: String(bankPort),
      MYPAY_BANK_URL: `http://127.0.0.1:${bankPort}`,
      MYPAY_BANK_TIMEOUT_MS: String(options.bankTimeoutMs ?? 1_500),
      MYPAY_ADMIN_PASSWORD: adminPassword,
      MYPAY_DATABASE_URL: "",
      MYPAY_BUS_URL: "",
      MYPAY_CONTEXTS: "",
      MYPAY_LOG_LEVEL: "warn",
    },
  });
  const keep = (chunk: Buffer) => {
    log = (log + chunk).slice(-20_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 90_000; ; ) {
    const ready = await fetch(`${baseUrl}/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    assert.ok(child.exitCode === null && Date.now() < deadline, `npm start did not get ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    bankUrl: `http://127.0.0.1:${bankPort}`,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium (MYPAY_CHROMIUM to use another), with the flags this machine's network needs. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.MYPAY_CHROMIUM ?? "/usr/bin/chromium";
  assert.ok(existsSync(executablePath), `no Chromium at ${executablePath}: apt-get install chromium`);
  return chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
      // A camera for the QR scanner: Chromium's own test pattern, allowed without a prompt.
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
    ],
  });
}

export const phone = { width: 390, height: 844 };
export const desktop = { width: 1280, height: 800 };

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors and CSP violations seen so far: a journey ends with none. */
  errors: string[];
}

/** A fresh browser profile (no cookies, no cache) in English unless told otherwise. */
export async function openTab(
  browser: Browser,
  baseUrl: string,
  options: { viewport?: { width: number; height: number }; locale?: string } = {},
): Promise<Tab> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: options.viewport ?? phone,
    locale: options.locale ?? "en-US",
    timezoneId: "Asia/Seoul",
    ...(options.viewport === desktop ? {} : { isMobile: true, hasTouch: true, deviceScaleFactor: 2 }),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    // A failed request is reported by the page itself (the journeys make some fail on purpose).
    if (message.type() === "error" && !/Failed to load resource/.test(message.text()))
      errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  return { context, page, errors };
}

/** A screenshot at test-results/<journey>/<name>.png. */
export async function shot(page: Page, journey: string, name: string): Promise<string> {
  const dir = join(resultsDir, journey);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** axe's audit of what the page shows now: no serious or critical violation. */
export async function assertAccessible(page: Page, where: string): Promise<void> {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    [],
    `accessibility of ${where}`,
  );
}

/** The typed client, for setting up and checking what the screens did. */
export function client(baseUrl: string, accessToken?: string): MypayClient {
  return createMypayClient({ baseUrl, ...(accessToken ? { accessToken } : {}) });
}

export async function tokenOf(baseUrl: string, email: string, password: string): Promise<string> {
  const answer = expectOk(await client(baseUrl).POST("/v1/auth/login", { body: { email, password } }));
  return answer.accessToken;
}

/** Sets the sandbox bank's faults (PUT /faults): a delay longer than mypay waits makes answers UNKNOWN. */
export async function bankFaults(bankUrl: string, faults: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${bankUrl}/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(faults),
  });
  assert.equal(res.status, 200, await res.text());
}

/** On a failure: a screenshot of every open page, and what the browser said, under test-results/failures/. */
export async function failureShots(browser: Browser, name: string): Promise<void> {
  const slug = name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
  let i = 0;
  for (const context of browser.contexts())
    for (const page of context.pages()) {
      await shot(page, "failures", `${slug}-${i++}`).catch(() => undefined);
    }
}

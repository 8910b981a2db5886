// Issue 10's budget for the web app: the first page's JavaScript (gzipped) and its first paint in
// Chromium from a cold cache (a new browser profile for every load), against `npm start`. The anchor is
// the first paint of a bare HTML page of one paragraph (a data: URL) in the same browser.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { webDistDir } from "../scripts/build-web.mjs";
import { launchBrowser, openTab, startMypay } from "../src/e2e/web/harness.js";
import type { RunContext } from "./phases.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function webFigures(ctx: RunContext, loads = 7): Promise<void> {
  const shell = readFileSync(join(webDistDir, "index.html"), "utf8");
  const scripts = [...shell.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  const bytes = scripts.reduce((sum, p) => sum + gzipSync(readFileSync(join(webDistDir, p))).length, 0);
  ctx.rec.figure(12, {
    value: Math.round(bytes / 102.4) / 10,
    unit: "KB",
    detail: `${scripts.length} scripts`,
  });

  const mypay = await startMypay();
  const browser = await launchBrowser();
  try {
    const paint = async (
      path: string,
      ready: (tab: Awaited<ReturnType<typeof openTab>>) => Promise<unknown>,
    ) => {
      const tab = await openTab(browser, mypay.baseUrl);
      try {
        await tab.page.goto(path);
        await ready(tab);
        return await tab.page.evaluate(
          () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Number.NaN,
        );
      } finally {
        await tab.context.close();
      }
    };
    const app: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < loads; i++) {
      app.push(await paint("/", (tab) => tab.page.getByRole("heading", { level: 1 }).first().waitFor()));
      // A page with no script: what painting anything at all costs here.
      bare.push(await paint("data:text/html,<p>mypay</p>", (tab) => tab.page.waitForLoadState("load")));
    }
    ctx.rec.figure(11, {
      value: Math.round(median(app)),
      unit: "ms",
      detail: `median of ${loads} cold loads of / (the wallet's login page), phone viewport; bare page median ${Math.round(median(bare))} ms`,
    });
  } finally {
    await browser.close();
    await mypay.stop();
  }
}

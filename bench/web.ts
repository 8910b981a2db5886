// Issue 10's budget for the web app: the first page's JavaScript (gzipped), and the time its login form
// is on screen in Chromium from a cold cache (a new browser profile for every load) against `npm start`.
// Beside it, for scale: its first contentful paint, and a bare page's (one paragraph, a data: URL).
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
    /** A cold load of `path`: its first contentful paint, and when `selector` was first on screen. */
    const load = async (path: string, selector: string) => {
      const tab = await openTab(browser, mypay.baseUrl);
      try {
        await tab.page.goto(path);
        // Run in the page (a string: this code is compiled without the DOM's types).
        const shown = Number(
          await tab.page.evaluate(`new Promise((resolve) => {
            const seen = () => document.querySelector(${JSON.stringify(selector)});
            if (seen()) return resolve(performance.now());
            new MutationObserver((_, o) => { if (seen()) { o.disconnect(); resolve(performance.now()); } })
              .observe(document, { childList: true, subtree: true });
          })`),
        );
        const paint = Number(
          await tab.page.evaluate(
            `performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Number.NaN`,
          ),
        );
        return { paint, shown };
      } finally {
        await tab.context.close();
      }
    };
    const app: Array<{ paint: number; shown: number }> = [];
    const bare: number[] = [];
    for (let i = 0; i < loads; i++) {
      app.push(await load("/", "main h1"));
      // A page with no script: what painting anything at all costs here.
      bare.push((await load("data:text/html,<p>mypay</p>", "p")).paint);
    }
    const shown = Math.round(median(app.map((a) => a.shown)));
    ctx.rec.figure(11, {
      value: shown,
      unit: "ms",
      detail: `the wallet's login form on screen, median of ${loads} cold loads of / (phone viewport); first contentful paint ${Math.round(median(app.map((a) => a.paint)))} ms; a bare page's first paint ${Math.round(median(bare))} ms`,
    });
  } finally {
    await browser.close();
    await mypay.stop();
  }
}

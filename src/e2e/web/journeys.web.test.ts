import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { expectOk, newIdempotencyKey } from "../../../packages/client/src/index.js";
import {
  adminEmail,
  adminPassword,
  assertAccessible,
  bankFaults,
  client,
  desktop,
  failureShots,
  launchBrowser,
  openTab,
  phone,
  type Running,
  shot,
  startMypay,
  type Tab,
  tokenOf,
} from "./harness.js";

// The web app's journeys (issue 10) in Chromium against a real `npm start`: a merchant registers a
// franchise; a member signs up, links a test account, recharges, sends money to a member, pays the
// franchise, pays with points and cancels; the merchant sees the payment; staff changes the commission,
// runs settlement and sees the franchise paid and reconciliation ok. Then the ways a real user breaks
// things: a double click, a network error, a bank that answers late, a revoked session, the keyboard.
// Every page visited is audited by axe; screenshots (phone and desktop) go to test-results/.
let mypay: Running;
let browser: Browser;
before(async () => {
  [mypay, browser] = await Promise.all([startMypay({ bankTimeoutMs: 1_500 }), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await mypay?.stop();
});

const run = Date.now().toString(36);
const merchant = { name: "Lee Merchant", email: `merchant-${run}@example.com`, password: "merchant-pass-1" };
const member = { name: "Park Minsu", email: `member-${run}@example.com`, password: "member-pass-12" };
const friend = { name: "김지은", email: `friend-${run}@example.com`, password: "friend-pass-12" };
const state: { franchiseId?: string; franchiseName: string; merchantTab?: Tab; memberTab?: Tab } = {
  franchiseName: "Seoul Coffee",
};

/** A test that, when it fails, keeps a screenshot of every open page (test-results/failures/). */
function journey(name: string, fn: () => Promise<void>) {
  test(name, async () => {
    try {
      await fn();
    } catch (error) {
      await failureShots(browser, name);
      throw error;
    }
  });
}

/** Screenshots of the page as it is, phone-sized, and the same path on a desktop-sized tab. */
async function shots(tab: Tab, journey: string, name: string): Promise<void> {
  await shot(tab.page, journey, `${name}-phone`);
  const wide = await openTab(browser, mypay.baseUrl, { viewport: desktop });
  // A second browser with the same cookie, as if the member opened the page on a computer too.
  await wide.context.addCookies(await tab.context.cookies());
  await wide.page.goto(new URL(tab.page.url()).pathname + new URL(tab.page.url()).search);
  await wide.page.getByRole("heading", { level: 1 }).first().waitFor();
  await wide.page.waitForLoadState("networkidle");
  await shot(wide.page, journey, `${name}-desktop`);
  // The desktop tab's load rotated the refresh token: the phone tab takes the new one, as a second tab
  // of the same browser would share it (spending the old one again would revoke the session).
  await tab.context.addCookies((await wide.context.cookies()).filter((c) => c.name === "mypay_refresh"));
  await wide.context.close();
}

const heading = (page: Page, name: string | RegExp) => page.getByRole("heading", { level: 1, name });
const field = (page: Page, label: string | RegExp) =>
  page.getByLabel(label, { exact: typeof label === "string" });
const button = (page: Page, name: string | RegExp) =>
  page.getByRole("button", { name, exact: typeof name === "string" });
const link = (page: Page, name: string | RegExp) =>
  page.getByRole("link", { name, exact: typeof name === "string" });

async function signUpAndLogIn(page: Page, who: typeof member & { phone?: string }, signUpLink: string) {
  await link(page, signUpLink).click();
  await field(page, "Name").fill(who.name);
  await field(page, "Email").fill(who.email);
  await field(page, "Password").fill(who.password);
  if (who.phone) await field(page, "Mobile number").fill(who.phone);
  await button(page, "Sign up").click();
  await page
    .getByRole("status")
    .filter({ hasText: `Welcome, ${who.name}` })
    .waitFor();
  await field(page, "Email").fill(who.email);
  await field(page, "Password").fill(who.password);
  await button(page, "Log in").click();
}

async function memberApi(who: typeof member) {
  return client(mypay.baseUrl, await tokenOf(mypay.baseUrl, who.email, who.password));
}

describe("journeys", () => {
  journey(
    "a merchant signs up, registers a franchise with a test settlement account and shows its QR code",
    async () => {
      const tab = await openTab(browser, mypay.baseUrl);
      state.merchantTab = tab;
      const { page } = tab;
      await page.goto("/merchant");
      await heading(page, "Merchant log in").waitFor();
      await assertAccessible(page, "the merchant login");
      await signUpAndLogIn(page, merchant, "Open a merchant account");
      await heading(page, "Your franchises").waitFor();
      await assertAccessible(page, "the merchant's franchises");
      await link(page, "Register a franchise").first().click();
      await heading(page, "Register a franchise").waitFor();
      await field(page, "Franchise name").fill(state.franchiseName);
      await field(page, /Business registration number/).fill("123-45-67891");
      await page.getByLabel("Bank", { exact: true }).selectOption("004");
      await button(page, "Open a sandbox test account").click();
      await page.getByRole("status").filter({ hasText: "Test account" }).waitFor();
      assert.match(await field(page, "Account number").inputValue(), /^\d+$/);
      await assertAccessible(page, "the franchise registration");
      await shots(tab, "merchant", "01-register");
      await button(page, "Register franchise").click();
      await heading(page, state.franchiseName).waitFor();
      state.franchiseId = /\/merchant\/franchises\/(fra_[0-9a-z]+)/.exec(page.url())?.[1];
      assert.ok(state.franchiseId, `the franchise's page: ${page.url()}`);
      await page.getByRole("img", { name: `QR code to pay ${state.franchiseName}` }).waitFor();
      await page.getByText(state.franchiseId).first().waitFor();
      await assertAccessible(page, "the franchise's page");
      await shots(tab, "merchant", "02-franchise-qr");
    },
  );

  journey(
    "a member signs up, links a test account, recharges, sends to a member, pays, pays with points and cancels",
    async () => {
      expectOk(
        await client(mypay.baseUrl).POST("/v1/memberships", {
          body: { ...friend, region: "부산", type: "personal" },
        }),
      );
      const tab = await openTab(browser, mypay.baseUrl);
      state.memberTab = tab;
      const { page } = tab;
      await page.goto("/");
      await heading(page, "Log in").waitFor();
      await assertAccessible(page, "the wallet's login");
      await signUpAndLogIn(page, member, "Sign up");
      await heading(page, "My wallet").waitFor();
      await page.getByText("You have no linked bank account yet.").waitFor();
      await assertAccessible(page, "the wallet's home");

      // Link: a test account at the sandbox bank in the member's name.
      await link(page, "Bank accounts").first().click();
      await heading(page, "Bank accounts").waitFor();
      await page.getByLabel("Bank for the test account").selectOption("004");
      await button(page, "Open a test account").click();
      await page.getByText(/Test account \d+ at .* opened for Park Minsu/).waitFor();
      await button(page, "Link account").click();
      await page.getByText(/ is linked\./).waitFor();
      await assertAccessible(page, "the bank accounts");
      await shots(tab, "wallet", "01-accounts");

      // Recharge ₩100,000.
      await link(page, "Home").first().click();
      await link(page, "Recharge").first().click();
      await heading(page, "Recharge").waitFor();
      await field(page, "Amount (won)").fill("100000");
      await button(page, "Recharge").click();
      await page.getByText("Recharged ₩100,000. Your balance is ₩100,000.").waitFor();
      await assertAccessible(page, "the recharge");

      // Send ₩10,000 to a member found by email, shown with a masked name.
      await link(page, "Home").first().click();
      await link(page, "Send").first().click();
      await heading(page, "Send money").waitFor();
      await page.getByRole("radio", { name: "A mypay member" }).check();
      await field(page, "Member's email or mobile number").fill(friend.email);
      await button(page, "Find").click();
      await page.getByText("Send to 김*은?").waitFor();
      await field(page, "Amount (won)").fill("10000");
      await assertAccessible(page, "the send form");
      await button(page, "Send").click();
      await page.getByText(/^Sent ₩10,000 to /).waitFor();
      await shots(tab, "wallet", "02-sent");

      // Pay the franchise ₩20,000 with money: 200 points earned.
      await link(page, "Home").first().click();
      await link(page, "Pay").first().click();
      await heading(page, "Pay").waitFor();
      await field(page, "Franchise code").fill(state.franchiseId!);
      await button(page, "Find").click();
      await page.getByText(new RegExp(`Pay ${state.franchiseName}`)).waitFor();
      await field(page, "Amount (won)").fill("20000");
      await button(page, "Pay").click();
      await page.getByText(`Paid ₩20,000 to ${state.franchiseName}.`).waitFor();
      await assertAccessible(page, "the payment's answer");

      // Pay ₩5,000 with the 200 points (the QR code's link fills the franchise in), then cancel it.
      await page.goto(`/pay?franchise=${state.franchiseId}`);
      await heading(page, "Pay").waitFor();
      await page.getByText(new RegExp(`Pay ${state.franchiseName}`)).waitFor();
      await field(page, "Amount (won)").fill("5000");
      await field(page, "Points to use").fill("200");
      await button(page, "Pay").click();
      await page.getByText(`Paid ₩5,000 to ${state.franchiseName}.`).waitFor();
      await link(page, "See the payment").click();
      await heading(page, "Payment").waitFor();
      await assertAccessible(page, "the payment's detail");
      await button(page, "Cancel payment").click();
      await page.getByText("Money refunded").waitFor();
      await page
        .getByRole("status")
        .filter({ hasText: /cancel/i })
        .first()
        .waitFor();
      await shots(tab, "wallet", "03-cancelled");

      // The home page shows what the API says: 100,000 − 10,000 − 20,000 = 70,000 and 200 points.
      const api = await memberApi(member);
      const money = expectOk(await api.GET("/v1/money/me"));
      assert.equal(money.balance, 70_000);
      assert.equal(money.points, 200);
      await link(page, "Home").first().click();
      await heading(page, "My wallet").waitFor();
      await page.getByText("₩70,000").first().waitFor();
      await page.getByText("200 points").first().waitFor();
      await shots(tab, "wallet", "04-home");

      // History: filters and infinite scroll.
      await link(page, "History").first().click();
      await heading(page, "History").waitFor();
      await button(page, "Payments").click();
      const payments = page.getByRole("list", { name: "Payments" }).getByRole("link");
      await payments.first().waitFor();
      assert.equal(await payments.count(), 2, "the two payments");
      await assertAccessible(page, "the history");
      assert.deepEqual(tab.errors, [], "no error in the browser's console");
    },
  );

  journey("a double click on Send moves money once", async () => {
    const { page } = state.memberTab!;
    const api = await memberApi(member);
    const before = expectOk(await api.GET("/v1/money/me")).balance;
    const sentBefore = expectOk(await api.GET("/v1/remittances", { params: { query: { limit: 100 } } })).items
      .length;
    await page.goto("/send");
    await page.getByRole("radio", { name: "A mypay member" }).check();
    await field(page, "Member's email or mobile number").fill(friend.email);
    await button(page, "Find").click();
    await page.getByText("Send to 김*은?").waitFor();
    await field(page, "Amount (won)").fill("3000");
    await button(page, "Send").dblclick();
    await page.getByText(/^Sent ₩3,000 to /).waitFor();
    const after = expectOk(await api.GET("/v1/money/me")).balance;
    const sentAfter = expectOk(await api.GET("/v1/remittances", { params: { query: { limit: 100 } } })).items
      .length;
    assert.equal(before - after, 3_000, "the money moved once");
    assert.equal(sentAfter - sentBefore, 1, "one remittance");
  });

  journey("a network error during Pay, then Try again, pays once", async () => {
    const { page } = state.memberTab!;
    const api = await memberApi(member);
    const before = expectOk(await api.GET("/v1/money/me")).balance;
    const paymentsBefore = expectOk(await api.GET("/v1/payments", { params: { query: { limit: 100 } } }))
      .items.length;
    await page.goto(`/pay?franchise=${state.franchiseId}`);
    await page.getByText(new RegExp(`Pay ${state.franchiseName}`)).waitFor();
    await field(page, "Amount (won)").fill("7000");
    // The request reaches mypay and is carried out, but its answer is lost on the way back.
    let cut = 0;
    await page.route("**/v1/payments", async (route) => {
      if (route.request().method() !== "POST" || cut > 0) return route.fallback();
      cut++;
      await route.fetch();
      await route.abort("connectionreset");
    });
    await button(page, "Pay").click();
    await page.getByRole("alert").filter({ hasText: "The network failed" }).waitFor();
    await shot(page, "wallet", "05-network-error-phone");
    await button(page, "Try again").click();
    await page.getByText(`Paid ₩7,000 to ${state.franchiseName}.`).waitFor();
    await page.unroute("**/v1/payments");
    const paymentsAfter = expectOk(await api.GET("/v1/payments", { params: { query: { limit: 100 } } })).items
      .length;
    assert.equal(cut, 1);
    assert.equal(paymentsAfter - paymentsBefore, 1, "one payment");
    assert.equal(before - expectOk(await api.GET("/v1/money/me")).balance, 7_000, "paid once");
  });

  journey("a recharge the bank answers too late shows PENDING, then SUCCEEDED without a reload", async () => {
    const { page } = state.memberTab!;
    await page.goto("/recharge");
    await heading(page, "Recharge").waitFor();
    await field(page, "Amount (won)").fill("10000");
    // The bank carries the transfer out but answers after mypay stopped waiting: UNKNOWN, so PENDING.
    await bankFaults(mypay.bankUrl, { latencyMs: 2_500 });
    try {
      await button(page, "Recharge").click();
      await page.getByText(/Recharging ₩10,000: in progress/).waitFor({ timeout: 15_000 });
      await shot(page, "wallet", "06-recharge-pending-phone");
    } finally {
      await bankFaults(mypay.bankUrl, {});
    }
    await page.getByText(/^Recharged ₩10,000\./).waitFor({ timeout: 30_000 });
    await shot(page, "wallet", "07-recharge-succeeded-phone");
  });

  journey("the merchant sees the payments on the franchise's page", async () => {
    const { page } = state.merchantTab!;
    await page.goto(`/merchant/franchises/${state.franchiseId}`);
    await heading(page, state.franchiseName).waitFor();
    await page.getByRole("heading", { name: "Payments" }).waitFor();
    await page.getByText("₩20,000").first().waitFor();
    await page.getByText("₩7,000").first().waitFor();
    await shots(state.merchantTab!, "merchant", "03-payments");
  });

  journey(
    "staff change the commission, run settlement, see the franchise paid and reconciliation ok",
    async () => {
      const tab = await openTab(browser, mypay.baseUrl, { viewport: desktop });
      const { page } = tab;
      await page.goto("/admin");
      await heading(page, "Staff log in").waitFor();
      await field(page, "Email").fill(adminEmail);
      await field(page, "Password").fill(adminPassword);
      await button(page, "Log in").click();
      await heading(page, "Dashboard").waitFor();
      await assertAccessible(page, "the dashboard");

      await link(page, "Franchises").first().click();
      await heading(page, "Franchises").waitFor();
      await link(page, new RegExp(state.franchiseName)).first().click();
      await field(page, "Commission (bps)").fill("300");
      await button(page, "Change commission").click();
      await page.getByText("Commission changed to 3.00%.").waitFor();
      await page.getByRole("cell", { name: "At registration" }).waitFor();
      await page.getByRole("heading", { name: "Commission history" }).waitFor();
      await assertAccessible(page, "the franchise's commission");
      await shot(page, "admin", "01-commission-desktop");

      await link(page, "Settlement").first().click();
      await heading(page, "Settlement").waitFor();
      await button(page, "Run settlement now").click();
      await heading(page, "Settlement run").waitFor();
      await page.getByText(/^Completed — 1 of 1 franchises done: 1 paid/).waitFor({ timeout: 30_000 });
      await page.getByText("Paid out").first().waitFor({ timeout: 30_000 });
      await assertAccessible(page, "the settlement run");
      await shot(page, "admin", "02-settlement-desktop");

      await link(page, "Dashboard").first().click();
      await heading(page, "Dashboard").waitFor();
      await page.getByText("Reconciliation OK").waitFor();
      await shot(page, "admin", "03-dashboard-desktop");
      const phoneTab = await openTab(browser, mypay.baseUrl, { viewport: phone });
      await phoneTab.context.addCookies(await tab.context.cookies());
      await phoneTab.page.goto("/admin");
      await heading(phoneTab.page, "Dashboard").waitFor();
      await phoneTab.page.getByText("Reconciliation OK").waitFor();
      await shot(phoneTab.page, "admin", "03-dashboard-phone");
      await phoneTab.context.close();

      // The payment made before the change (₩20,000 + ₩7,000 at 2%) is settled: 27,000 − 540.
      const staff = client(mypay.baseUrl, await tokenOf(mypay.baseUrl, adminEmail, adminPassword));
      const settlements = expectOk(
        await staff.GET("/v1/settlements", { params: { query: { franchiseId: state.franchiseId! } } }),
      ).items;
      assert.equal(settlements.length, 1);
      assert.equal(settlements[0]!.status, "PAID");
      assert.equal(settlements[0]!.net, 27_000 - 540);
      assert.deepEqual(tab.errors, []);
      await tab.context.close();
    },
  );
});

describe("the member's own details", () => {
  // A number of this run's own, so that runs against the same data never collide.
  const digits = (n: number) =>
    `010${String(Date.now() % 10_000).padStart(4, "0")}${String(n).padStart(4, "0")}`;
  const yuna = {
    name: "Choi Yuna",
    email: `yuna-${run}@example.com`,
    password: "yuna-pass-123",
    phone: digits(1),
  };
  const dashed = (p: string) => `${p.slice(0, 3)}-${p.slice(3, 7)}-${p.slice(7)}`;
  let yunaTab: Tab;

  journey("a member who gave a mobile number at sign-up is found and paid by it", async () => {
    yunaTab = await openTab(browser, mypay.baseUrl);
    const { page } = yunaTab;
    // What is not a mobile number is caught in the page, next to the field.
    await page.goto("/signup");
    await field(page, "Mobile number").fill("010 12");
    await button(page, "Sign up").click();
    await page.getByText("Enter a mobile number such as 010-1234-5678, or leave it empty.").waitFor();
    await page.goto("/");
    await signUpAndLogIn(page, { ...yuna, phone: dashed(yuna.phone) }, "Sign up");
    await heading(page, "My wallet").waitFor();

    // Park sends ₩1,000 to the number, typed with spaces.
    const { page: park } = state.memberTab!;
    await park.goto("/send");
    await heading(park, "Send money").waitFor();
    await field(park, "Member's email or mobile number").fill("someone");
    await button(park, "Find").click();
    await park.getByText("Enter an email address or a mobile number.").waitFor();
    await field(park, "Member's email or mobile number").fill(
      `${yuna.phone.slice(0, 3)} ${yuna.phone.slice(3, 7)} ${yuna.phone.slice(7)}`,
    );
    await button(park, "Find").click();
    await park.getByText("Send to C**i Y**a?").waitFor();
    await field(park, "Amount (won)").fill("1000");
    await button(park, "Send").click();
    await park.getByText(/^Sent ₩1,000 to C\*\*i Y\*\*a\./).waitFor();
    const money = expectOk(await (await memberApi(yuna)).GET("/v1/money/me"));
    assert.equal(money.balance, 1_000, "the money reached the member the number belongs to");
  });

  journey(
    "My info changes the number; leaving is refused while money is held, and logs out once it is ₩0",
    async () => {
      const { page } = yunaTab;
      await link(page, "My info").first().click();
      await heading(page, "My info").waitFor();
      assert.equal(await field(page, "Mobile number").inputValue(), dashed(yuna.phone));
      const next = digits(2);
      await field(page, "Mobile number").fill(next);
      await button(page, "Save").click();
      await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
      assert.equal(await field(page, "Mobile number").inputValue(), dashed(next));
      const park = await memberApi(member);
      const byOld = await park.GET("/v1/memberships/lookup", { params: { query: { phone: yuna.phone } } });
      assert.equal(byOld.response.status, 404, "the old number finds nobody");
      expectOk(await park.GET("/v1/memberships/lookup", { params: { query: { phone: next } } }));
      await assertAccessible(page, "My info");

      // ₩1,000 is held: the page says so, and mypay refuses.
      await page.getByText("You hold ₩1,000.").waitFor();
      await shots(yunaTab, "wallet", "10-profile");
      await button(page, "Leave mypay").click();
      await button(page, "Yes, leave").click();
      await page.getByRole("alert").filter({ hasText: "You still hold money" }).waitFor();

      // Once the money is sent back, leaving logs out, and the login is refused from then on.
      const yunaApi = await memberApi(yuna);
      const me = expectOk(await park.GET("/v1/memberships/me"));
      expectOk(
        await yunaApi.POST("/v1/remittances", {
          params: { header: { "idempotency-key": newIdempotencyKey() } },
          body: { to: { membershipId: me.membershipId }, amount: 1_000 },
        }),
      );
      await page.reload();
      await heading(page, "My info").waitFor();
      await button(page, "Leave mypay").click();
      await button(page, "Yes, leave").click();
      await heading(page, "Log in").waitFor();
      await page.getByText("You have left mypay. Thank you for using it.").waitFor();
      await field(page, "Email").fill(yuna.email);
      await field(page, "Password").fill(yuna.password);
      await button(page, "Log in").click();
      await page.getByRole("alert").filter({ hasText: "The email or the password is wrong." }).waitFor();
      assert.deepEqual(yunaTab.errors, [], "no error in the browser's console");
      await yunaTab.context.close();
    },
  );
});

describe("the QR code", () => {
  journey(
    "Pay scans the franchise's QR code with the camera where the browser can read QR codes",
    async () => {
      const tab = await openTab(browser, mypay.baseUrl);
      const { page } = tab;
      // Chromium on Linux has no BarcodeDetector; this stand-in "reads" the franchise's QR link from any
      // frame of the (fake) camera once it plays, as Chromium on Android or macOS would read the real code.
      const qrLink = `${mypay.baseUrl}/pay?franchise=${state.franchiseId}`;
      await page.addInitScript((text: string) => {
        (globalThis as Record<string, unknown>).BarcodeDetector = class {
          async detect(video: { readyState: number }) {
            return video.readyState >= 2 ? [{ rawValue: text }] : [];
          }
        };
      }, qrLink);
      await page.goto("/");
      await field(page, "Email").fill(member.email);
      await field(page, "Password").fill(member.password);
      await button(page, "Log in").click();
      await heading(page, "My wallet").waitFor();
      await link(page, "Pay").first().click();
      await button(page, "Scan QR code").click();
      await page.getByText(new RegExp(`Pay ${state.franchiseName}`)).waitFor();
      assert.equal(await field(page, "Franchise code").inputValue(), state.franchiseId);
      await tab.context.close();
    },
  );
});

describe("the session", () => {
  journey("a reused refresh token revokes the chain, and the page logs out cleanly", async () => {
    const tab = await openTab(browser, mypay.baseUrl);
    const { page } = tab;
    await page.goto("/");
    await field(page, "Email").fill(member.email);
    await field(page, "Password").fill(member.password);
    await button(page, "Log in").click();
    await heading(page, "My wallet").waitFor();
    // Someone else holds a copy of the cookie and spends it twice: mypay revokes the whole chain.
    const cookie = (await tab.context.cookies()).find((c) => c.name === "mypay_refresh");
    assert.ok(cookie?.httpOnly && cookie.sameSite === "Strict" && cookie.path === "/web/auth");
    const api = client(mypay.baseUrl);
    expectOk(await api.POST("/v1/auth/refresh", { body: { refreshToken: cookie.value } }));
    const reuse = await api.POST("/v1/auth/refresh", { body: { refreshToken: cookie.value } });
    assert.equal(reuse.response.status, 401);
    await link(page, "History").first().click();
    await heading(page, "Log in").waitFor();
    await page.getByText("You were signed out. Please log in again.").waitFor();
    await tab.context.close();
  });

  journey("log out ends the session: a reload stays logged out", async () => {
    const tab = await openTab(browser, mypay.baseUrl);
    const { page } = tab;
    await page.goto("/");
    await field(page, "Email").fill(member.email);
    await field(page, "Password").fill(member.password);
    await button(page, "Log in").click();
    await heading(page, "My wallet").waitFor();
    await page.reload();
    await heading(page, "My wallet").waitFor();
    await button(page, "Log out").click();
    await page.getByText("You are logged out.").waitFor();
    await page.reload();
    await heading(page, "Log in").waitFor();
    await tab.context.close();
  });
});

describe("language and keyboard", () => {
  journey("Korean from the browser, switchable to English; amounts in won", async () => {
    const tab = await openTab(browser, mypay.baseUrl, { locale: "ko-KR" });
    const { page } = tab;
    await page.goto("/");
    await heading(page, "로그인").waitFor();
    assert.equal(await page.locator("html").getAttribute("lang"), "ko");
    await field(page, "이메일").fill(member.email);
    await field(page, "비밀번호").fill(member.password);
    await button(page, "로그인").click();
    await heading(page, "내 지갑").waitFor();
    await page
      .getByText(/₩\d{1,3}(,\d{3})+/)
      .first()
      .waitFor();
    await assertAccessible(page, "the wallet in Korean");
    await shot(page, "wallet", "08-home-korean-phone");
    await button(page, "English").click();
    await heading(page, "My wallet").waitFor();
    assert.equal(await page.locator("html").getAttribute("lang"), "en");
    await tab.context.close();
  });

  journey("the keyboard alone signs in and recharges", async () => {
    const tab = await openTab(browser, mypay.baseUrl, { viewport: desktop });
    const { page } = tab;
    await page.goto("/");
    await heading(page, "Log in").waitFor();
    const tabTo = async (name: RegExp) => {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press("Tab");
        // A string, run in the page: this file is compiled without the DOM's types.
        const focused = String(
          await page.evaluate(`(() => {
            const el = document.activeElement;
            if (!el) return "";
            const label = el.id ? document.querySelector('label[for="' + el.id + '"]')?.textContent : "";
            return ((label ?? "") + " " + (el.getAttribute("aria-label") ?? "") + " " + (el.textContent ?? "")).trim();
          })()`),
        );
        if (name.test(focused)) return;
      }
      assert.fail(`Tab never reached ${name}`);
    };
    await tabTo(/^Email/);
    await page.keyboard.type(member.email);
    await tabTo(/^Password/);
    await page.keyboard.type(member.password);
    await page.keyboard.press("Enter");
    await heading(page, "My wallet").waitFor();
    await tabTo(/^Recharge$/);
    await page.keyboard.press("Enter");
    await heading(page, "Recharge").waitFor();
    await tabTo(/^Amount \(won\)/);
    await page.keyboard.type("20000");
    await page.keyboard.press("Enter");
    await page.getByText(/^Recharged ₩20,000\./).waitFor();
    await tab.context.close();
  });
});

describe("every page", () => {
  /** Opens each path signed in as `who` (or nobody), waits for its heading and audits it with axe. */
  async function audit(who: { email: string; password: string } | undefined, paths: string[]) {
    const tab = await openTab(browser, mypay.baseUrl);
    const { page } = tab;
    if (who) {
      await page.goto(paths[0]!);
      await field(page, "Email").fill(who.email);
      await field(page, "Password").fill(who.password);
      await button(page, "Log in").click();
    }
    for (const path of paths) {
      await page.goto(path);
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await page
        .locator("[aria-busy='true'], .loading")
        .first()
        .waitFor({ state: "detached", timeout: 10_000 })
        .catch(() => undefined);
      await assertAccessible(page, path);
    }
    assert.deepEqual(tab.errors, [], "no error in the browser's console");
    await tab.context.close();
  }

  journey("axe finds no serious or critical violation on any page, for any role", async () => {
    const api = await memberApi(member);
    const payment = expectOk(await api.GET("/v1/payments", { params: { query: { limit: 1 } } })).items[0]!;
    const remittance = expectOk(await api.GET("/v1/remittances", { params: { query: { limit: 1 } } }))
      .items[0]!;
    const entry = expectOk(await api.GET("/v1/money/history", { params: { query: { limit: 100 } } })).items;
    const recharge = entry.find((e) => e.kind === "RECHARGE")!;
    const staff = client(mypay.baseUrl, await tokenOf(mypay.baseUrl, adminEmail, adminPassword));
    const run = expectOk(await staff.GET("/v1/admin/settlements/runs", { params: { query: { limit: 1 } } }))
      .items[0]!;
    const me = expectOk(await api.GET("/v1/memberships/me"));

    await audit(undefined, ["/", "/signup", "/merchant", "/merchant/signup", "/admin"]);
    await audit(member, [
      "/",
      "/accounts",
      "/recharge",
      "/withdraw",
      "/send",
      "/pay",
      "/history",
      "/profile",
      "/history?filter=points",
      "/history?filter=remittances",
      `/history/payments/${payment.paymentId}`,
      `/history/remittances/${remittance.remittanceId}`,
      `/history/recharges/${recharge.reference}`,
      `/history/money/${recharge.entryId}`,
      "/no-such-page",
    ]);
    await audit(merchant, [
      "/merchant",
      "/merchant/new",
      `/merchant/franchises/${state.franchiseId}`,
      "/merchant/x",
    ]);
    await audit({ email: adminEmail, password: adminPassword }, [
      "/admin",
      "/admin/members",
      `/admin/members/${me.membershipId}`,
      "/admin/franchises",
      `/admin/franchises/${state.franchiseId}`,
      "/admin/banks",
      "/admin/settlements",
      `/admin/settlements/${run.runId}`,
      "/admin/x",
    ]);
  });

  journey("errors from the API are shown in plain words next to what caused them", async () => {
    const tab = await openTab(browser, mypay.baseUrl);
    const { page } = tab;
    await page.goto("/");
    await field(page, "Email").fill(member.email);
    await field(page, "Password").fill("not-my-password");
    await button(page, "Log in").click();
    await page.getByRole("alert").filter({ hasText: "The email or the password is wrong." }).waitFor();
    await field(page, "Password").fill(member.password);
    await button(page, "Log in").click();
    await heading(page, "My wallet").waitFor();
    // An account the bank does not know in the member's name: the bank's refusal, under the form.
    await page.goto("/accounts");
    await page.getByLabel("Bank", { exact: true }).selectOption("088");
    await field(page, "Account number").fill("99999999999");
    await button(page, "Link account").click();
    await page
      .getByRole("alert")
      .filter({ hasText: "The bank did not confirm this account in your name." })
      .waitFor();
    // A recharge that is not in steps of ₩10,000 is caught before it is sent.
    await page.goto("/recharge");
    await field(page, "Amount (won)").fill("15000");
    await button(page, "Recharge").click();
    await page.getByText("Enter a multiple of ₩10,000 above zero.").waitFor();
    // More than the balance holds: the server's INSUFFICIENT_BALANCE… or an auto-recharge; a withdrawal
    // of more than the balance is refused in the page.
    await page.goto("/withdraw");
    await field(page, "Amount (won)").fill("100000000");
    await button(page, "Withdraw").click();
    await page.getByText(/^You can withdraw at most ₩/).waitFor();
    await shot(page, "wallet", "09-errors-phone");
    await tab.context.close();
  });
});

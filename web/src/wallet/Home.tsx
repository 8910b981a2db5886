// Home: the money and points at a glance, the latest activity and what the member can do.
import { api, call } from "../api.ts";
import { t } from "../i18n/index.ts";
import { Link, Loaded, Money, Notice, Page, Section, useLoad } from "../ui.tsx";
import { MoneyItem } from "./items.tsx";
import { seenEntries } from "./shared.tsx";

const actions = [
  { href: "/recharge", key: "recharge" },
  { href: "/withdraw", key: "withdraw" },
  { href: "/send", key: "send" },
  { href: "/pay", key: "pay" },
] as const;

function actionLabel(key: (typeof actions)[number]["key"]): string {
  switch (key) {
    case "recharge":
      return t("wallet.action.recharge");
    case "withdraw":
      return t("wallet.action.withdraw");
    case "send":
      return t("wallet.action.send");
    case "pay":
      return t("wallet.action.pay");
  }
}

export function Home() {
  const money = useLoad(() => call(api.GET("/v1/money/me")));
  const accounts = useLoad(() => call(api.GET("/v1/bank-accounts")));
  const latest = useLoad(() => call(api.GET("/v1/money/history", { params: { query: { limit: 5 } } })));
  return (
    <Page title={t("wallet.home.title")}>
      <Section title={t("wallet.home.balance")}>
        <Loaded load={money}>
          {(m) => (
            <div class="stack">
              <p class="big balance">
                <Money amount={m.balance} />
              </p>
              <p class="points-line">{t("wallet.home.points", { points: m.points })}</p>
            </div>
          )}
        </Loaded>
        <Loaded load={accounts}>
          {(a) =>
            a.items.some((x) => x.status === "LINKED") ? null : (
              <Notice tone="warn">
                {t("wallet.home.noAccount")} <Link href="/accounts">{t("wallet.home.linkOne")}</Link>
              </Notice>
            )
          }
        </Loaded>
        <nav aria-label={t("wallet.home.actions")}>
          <ul class="actions wallet-actions">
            {actions.map((a) => (
              <li key={a.href}>
                <Link href={a.href} class="btn btn-primary">
                  {actionLabel(a.key)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </Section>
      <Section title={t("wallet.home.latest")}>
        <Loaded load={latest}>
          {(h) => {
            for (const e of h.items) seenEntries.set(e.entryId, e);
            return h.items.length === 0 ? (
              <p class="muted">{t("wallet.home.nothingYet")}</p>
            ) : (
              <ul class="list" aria-label={t("wallet.home.latest")}>
                {h.items.map((e) => (
                  <li key={e.entryId}>
                    <MoneyItem entry={e} />
                  </li>
                ))}
              </ul>
            );
          }}
        </Loaded>
        <p>
          <Link href="/history">{t("wallet.home.seeAll")}</Link>
        </p>
      </Section>
    </Page>
  );
}

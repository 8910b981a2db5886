// Money by region: bars drawn in SVG (width attributes, since the CSP allows no style attributes) for
// the eye, and the same figures in a table for everyone.
import { api, call, type Schemas } from "../api.ts";
import { num, regionName, t, won } from "../i18n/index.ts";
import { Loaded, Money, Section, Table, useLoad } from "../ui.tsx";

type Stats = Schemas["MoneyByRegion"];

function Bars(props: { groups: Stats["groups"] }) {
  const largest = Math.max(1, ...props.groups.map((g) => g.balance));
  return (
    <ul class="bar-chart list-plain" aria-hidden="true">
      {props.groups.map((g) => {
        const share = Math.max(0, (g.balance / largest) * 100);
        return (
          <li key={g.region} class="bar-row">
            <span>{regionName(g.region)}</span>
            <svg class="bar-track" width="100%" height="16" focusable="false" aria-hidden="true">
              <rect class="bar-fill" x="0" y="0" height="16" rx="4" width={`${share.toFixed(2)}%`} />
            </svg>
            <span class="amount">{won(g.balance)}</span>
          </li>
        );
      })}
    </ul>
  );
}

function Figures(props: { stats: Stats }) {
  const { groups, total } = props.stats;
  return (
    <Table caption={t("admin.money.title")}>
      <thead>
        <tr>
          <th scope="col">{t("auth.region")}</th>
          <th scope="col" class="num">
            {t("admin.money.members")}
          </th>
          <th scope="col" class="num">
            {t("admin.money.balance")}
          </th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <tr key={g.region}>
            <th scope="row">{regionName(g.region)}</th>
            <td class="num">{num(g.members)}</td>
            <td class="num">
              <Money amount={g.balance} />
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">{t("admin.total")}</th>
          <td class="num">{num(total.members)}</td>
          <td class="num">
            <Money amount={total.balance} />
          </td>
        </tr>
      </tfoot>
    </Table>
  );
}

export function MoneyByRegion() {
  const stats = useLoad(() =>
    call(api.GET("/v1/admin/stats/money", { params: { query: { groupBy: "region" } } })),
  );
  return (
    <Section title={t("admin.money.title")}>
      <Loaded load={stats}>
        {(s) => (
          <div class="stack">
            <p>{t("admin.money.total", { members: num(s.total.members), balance: won(s.total.balance) })}</p>
            {s.groups.length === 0 ? <p class="muted">{t("app.empty")}</p> : <Bars groups={s.groups} />}
            <Figures stats={s} />
          </div>
        )}
      </Loaded>
    </Section>
  );
}

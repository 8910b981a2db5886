// History: everything (money and points, newest first), or money, points, payments or remittances
// alone; the list loads more as it scrolls, and each line opens its detail.
import type { ComponentChildren } from "preact";
import { useMemo } from "preact/hooks";
import { api, call, type Outcome, type Schemas } from "../api.ts";
import { t } from "../i18n/index.ts";
import { navigate, queryParam } from "../router.ts";
import { InfiniteList, Page } from "../ui.tsx";
import { MoneyItem, PaymentItem, PointsItem, RemittanceItem } from "./items.tsx";
import { type MoneyEntry, type PointsEntry, seenEntries } from "./shared.tsx";

const filters = ["all", "money", "points", "payments", "remittances"] as const;
type Filter = (typeof filters)[number];

type Row =
  | { key: string; at: string; view: "money"; entry: MoneyEntry }
  | { key: string; at: string; view: "points"; entry: PointsEntry }
  | { key: string; at: string; view: "payment"; payment: Schemas["Payment"] }
  | { key: string; at: string; view: "remittance"; remittance: Schemas["Remittance"] };
type Page_ = Outcome<{ items: Row[]; nextCursor: string | null }>;

const filterLabel = (f: Filter): string => {
  switch (f) {
    case "all":
      return t("wallet.history.all");
    case "money":
      return t("wallet.history.money");
    case "points":
      return t("wallet.history.points");
    case "payments":
      return t("wallet.history.payments");
    case "remittances":
      return t("wallet.history.remittances");
  }
};

const moneyRow = (entry: MoneyEntry): Row => {
  seenEntries.set(entry.entryId, entry);
  return { key: `m-${entry.entryId}`, at: entry.createdAt, view: "money", entry };
};
const pointsRow = (entry: PointsEntry): Row => ({
  key: `p-${entry.entryId}`,
  at: entry.createdAt,
  view: "points",
  entry,
});

async function moneyPage(cursor: string | undefined): Promise<Page_> {
  const o = await call(api.GET("/v1/money/history", { params: { query: cursor ? { cursor } : {} } }));
  return o.ok ? { ...o, data: { items: o.data.items.map(moneyRow), nextCursor: o.data.nextCursor } } : o;
}
async function pointsPage(cursor: string | undefined): Promise<Page_> {
  const o = await call(api.GET("/v1/points/me", { params: { query: cursor ? { cursor } : {} } }));
  return o.ok ? { ...o, data: { items: o.data.history.map(pointsRow), nextCursor: o.data.nextCursor } } : o;
}
async function paymentsPage(cursor: string | undefined): Promise<Page_> {
  const o = await call(api.GET("/v1/payments", { params: { query: cursor ? { cursor } : {} } }));
  if (!o.ok) return o;
  const items = o.data.items.map(
    (p): Row => ({ key: p.paymentId, at: p.createdAt, view: "payment", payment: p }),
  );
  return { ...o, data: { items, nextCursor: o.data.nextCursor } };
}
async function remittancesPage(cursor: string | undefined): Promise<Page_> {
  const o = await call(api.GET("/v1/remittances", { params: { query: cursor ? { cursor } : {} } }));
  if (!o.ok) return o;
  const items = o.data.items.map(
    (r): Row => ({ key: r.remittanceId, at: r.createdAt, view: "remittance", remittance: r }),
  );
  return { ...o, data: { items, nextCursor: o.data.nextCursor } };
}

interface Source {
  load: (cursor: string | undefined) => Promise<Page_>;
  buffer: Row[];
  cursor: string | null | undefined;
}

/**
 * Money and points merged newest first: a line is shown only once every source that may still hold a
 * newer one has a line waiting to compare with, so the order is right across pages.
 */
function mergedLoader() {
  let sources: Source[] = [];
  return async (cursor: string | undefined): Promise<Page_> => {
    if (cursor === undefined)
      sources = [moneyPage, pointsPage].map((load) => ({ load, buffer: [], cursor: undefined }));
    const mine = sources;
    for (const s of mine) {
      if (s.buffer.length > 0 || s.cursor === null) continue;
      const o = await s.load(s.cursor);
      if (!o.ok) return o;
      s.buffer.push(...o.data.items);
      s.cursor = o.data.nextCursor;
    }
    const items: Row[] = [];
    while (mine.every((s) => s.buffer.length > 0 || s.cursor === null)) {
      const ready = mine.filter((s) => s.buffer.length > 0);
      const newest = ready.reduce<Source | undefined>(
        (best, s) => (!best || (s.buffer[0]?.at ?? "") > (best.buffer[0]?.at ?? "") ? s : best),
        undefined,
      );
      const row = newest?.buffer.shift();
      if (!row) break;
      items.push(row);
    }
    const more = mine.some((s) => s.buffer.length > 0 || s.cursor !== null);
    return { ok: true, data: { items, nextCursor: more ? "more" : null } };
  };
}

function render(row: Row): ComponentChildren {
  switch (row.view) {
    case "money":
      return <MoneyItem entry={row.entry} />;
    case "points":
      return <PointsItem entry={row.entry} />;
    case "payment":
      return <PaymentItem payment={row.payment} />;
    case "remittance":
      return <RemittanceItem remittance={row.remittance} />;
  }
}

export function History() {
  const asked = queryParam("filter");
  const filter: Filter = filters.find((f) => f === asked) ?? "all";
  const merged = useMemo(mergedLoader, []);
  const load =
    filter === "money"
      ? moneyPage
      : filter === "points"
        ? pointsPage
        : filter === "payments"
          ? paymentsPage
          : filter === "remittances"
            ? remittancesPage
            : merged;
  return (
    <Page title={t("wallet.history.title")}>
      <div class="card stack">
        <fieldset class="chips plain-set">
          <legend class="visually-hidden">{t("wallet.history.show")}</legend>
          {filters.map((f) => (
            <button
              key={f}
              type="button"
              class="btn btn-plain btn-small"
              aria-pressed={filter === f}
              onClick={() => navigate(f === "all" ? "/history" : `/history?filter=${f}`, { replace: true })}
            >
              {filterLabel(f)}
            </button>
          ))}
        </fieldset>
        <InfiniteList<Row>
          load={load}
          render={render}
          itemKey={(row) => row.key}
          reset={filter}
          label={filterLabel(filter)}
        />
      </div>
    </Page>
  );
}

// A recharge, a withdrawal (followed while PENDING) and one money entry, with a link to what it was for.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, call, type Outcome, type Schemas } from "../api.ts";
import { t, won } from "../i18n/index.ts";
import { Link, Loading, Money, Page, Problem, Section, Status, When } from "../ui.tsx";
import { useFollowed } from "./follow.ts";
import { MoveResult } from "./Recharge.tsx";
import { type MoneyEntry, moneyKind, referencePath, seenEntries } from "./shared.tsx";

type Move = { amount: number; status: "PENDING" | "SUCCEEDED" | "FAILED"; balance: number | null };

function MoveDetail<T extends Move>(props: {
  kind: "recharge" | "withdraw";
  id: string;
  get: () => Promise<Outcome<T>>;
  title: string;
  detail: string;
}) {
  const first = useSignal<Outcome<T> | undefined>(undefined);
  const move = useFollowed<T>(props.get);
  const load = () => {
    first.value = undefined;
    void props.get().then((o) => {
      first.value = o;
      if (o.ok) move.show(o.data);
    });
  };
  useEffect(load, [props.id]);
  const m = move.value;
  return (
    <Page title={props.title}>
      <p>
        <Link href="/history">{t("wallet.backHistory")}</Link>
      </p>
      {!first.value ? (
        <Loading />
      ) : !m ? (
        <Problem outcome={first.value} onRetry={load} />
      ) : (
        <>
          <MoveResult kind={props.kind} move={m} detail={props.detail} />
          <Section title={t("wallet.move.facts")}>
            <dl class="facts">
              <dt>{t("wallet.payment.status")}</dt>
              <dd>
                <Status status={m.status} />
              </dd>
              <dt>{t("wallet.amountLabel")}</dt>
              <dd>{won(m.amount)}</dd>
              <dt>{t("wallet.move.balance")}</dt>
              <dd>{m.balance === null ? "—" : won(m.balance)}</dd>
              <dt>{t("wallet.move.id")}</dt>
              <dd>{props.id}</dd>
            </dl>
          </Section>
        </>
      )}
    </Page>
  );
}

export function RechargeDetail(props: { id: string }) {
  return (
    <MoveDetail<Schemas["Recharge"]>
      kind="recharge"
      id={props.id}
      title={t("wallet.recharge.detail")}
      detail={`/history/recharges/${encodeURIComponent(props.id)}`}
      get={() => call(api.GET("/v1/money/recharges/{id}", { params: { path: { id: props.id } } }))}
    />
  );
}

export function WithdrawalDetail(props: { id: string }) {
  return (
    <MoveDetail<Schemas["Withdrawal"]>
      kind="withdraw"
      id={props.id}
      title={t("wallet.withdraw.detail")}
      detail={`/history/withdrawals/${encodeURIComponent(props.id)}`}
      get={() => call(api.GET("/v1/money/withdrawals/{id}", { params: { path: { id: props.id } } }))}
    />
  );
}

/** An entry seen in a list, or else looked for in the newest pages of the history. */
async function findEntry(id: string): Promise<Outcome<MoneyEntry | undefined>> {
  const seen = seenEntries.get(id);
  if (seen) return { ok: true, data: seen };
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const o = await call(
      api.GET("/v1/money/history", { params: { query: cursor ? { cursor, limit: 100 } : { limit: 100 } } }),
    );
    if (!o.ok) return o;
    const found = o.data.items.find((e) => e.entryId === id);
    if (found) return { ok: true, data: found };
    if (!o.data.nextCursor) break;
    cursor = o.data.nextCursor;
  }
  return { ok: true, data: undefined };
}

export function EntryDetail(props: { id: string }) {
  const outcome = useSignal<Outcome<MoneyEntry | undefined> | undefined>(undefined);
  const load = () => {
    outcome.value = undefined;
    void findEntry(props.id).then((o) => {
      outcome.value = o;
    });
  };
  useEffect(load, [props.id]);
  const o = outcome.value;
  const e = o?.ok ? o.data : undefined;
  const href = e ? referencePath(e.reference) : undefined;
  return (
    <Page title={e ? moneyKind(e.kind) : t("wallet.entry.title")}>
      <p>
        <Link href="/history?filter=money">{t("wallet.backHistory")}</Link>
      </p>
      {!o ? (
        <Loading />
      ) : !o.ok ? (
        <Problem outcome={o} onRetry={load} />
      ) : !e ? (
        <p>{t("wallet.entry.notFound")}</p>
      ) : (
        <Section title={t("wallet.entry.facts")}>
          <dl class="facts">
            <dt>{t("wallet.entry.kind")}</dt>
            <dd>{moneyKind(e.kind)}</dd>
            <dt>{t("wallet.amountLabel")}</dt>
            <dd>
              <Money amount={e.amount} signed />
            </dd>
            <dt>{t("wallet.move.balance")}</dt>
            <dd>{won(e.balanceAfter)}</dd>
            <dt>{t("wallet.when")}</dt>
            <dd>
              <When at={e.createdAt} />
            </dd>
            <dt>{t("wallet.entry.reference")}</dt>
            <dd>{href ? <Link href={href}>{e.reference}</Link> : e.reference}</dd>
          </dl>
        </Section>
      )}
    </Page>
  );
}

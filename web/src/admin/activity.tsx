// A member's activity, newest first (OnePoint's member dashboard): money, points, payments, remittances,
// with the money and points the read model last heard.
import { useSignal } from "@preact/signals";
import { api, call, type Schemas } from "../api.ts";
import { num, t } from "../i18n/index.ts";
import { InfiniteList, Money, Section, When } from "../ui.tsx";
import { AnyStatus } from "./format.tsx";

type Activity = Schemas["MemberActivity"];
type Item = Activity["items"][number];

const kinds: Record<Item["kind"], () => string> = {
  MONEY: () => t("admin.activity.money"),
  POINTS: () => t("admin.activity.points"),
  RECHARGE_COMPLETED: () => t("admin.activity.recharge"),
  WITHDRAWAL_COMPLETED: () => t("admin.activity.withdrawal"),
  PAYMENT: () => t("admin.activity.payment"),
  PAYMENT_CANCELLED: () => t("admin.activity.paymentCancelled"),
  REMITTANCE: () => t("admin.activity.remittance"),
  MEMBER_REGISTERED: () => t("admin.activity.registered"),
  MEMBER_WITHDRAWN: () => t("admin.activity.withdrawn"),
};

function Amount(props: { item: Item }) {
  const { amount, kind } = props.item;
  if (amount === null) return null;
  if (kind === "POINTS")
    return (
      <span class="amount">
        {t("admin.activity.pointsAmount", { points: `${amount > 0 ? "+" : ""}${num(amount)}` })}
      </span>
    );
  return <Money amount={amount} signed={kind === "MONEY"} />;
}

function ActivityItem(props: { item: Item }) {
  const a = props.item;
  return (
    <div class="item">
      <span class="what">
        <strong>
          {(kinds[a.kind] ?? (() => a.kind))()}
          {a.ledgerKind ? <span class="muted"> · {a.ledgerKind}</span> : null}
        </strong>
        <span class="sub">
          <When at={a.occurredAt} /> · {a.reference ?? a.itemId}
        </span>
      </span>
      <span class="what end">
        <Amount item={a} />
        {a.status ? <AnyStatus status={a.status} /> : null}
      </span>
    </div>
  );
}

export function MemberActivity(props: { membershipId: string }) {
  const money = useSignal<Activity["money"] | undefined>(undefined);
  return (
    <>
      <Section title={t("admin.activity.holdings")}>
        {money.value === undefined ? (
          <p class="muted">{t("app.loading")}</p>
        ) : money.value === null ? (
          <p class="muted">{t("admin.activity.noMoney")}</p>
        ) : (
          <dl class="facts">
            <dt>{t("admin.activity.balance")}</dt>
            <dd>
              <Money amount={money.value.balance} />
            </dd>
            <dt>{t("admin.activity.pointsHeld")}</dt>
            <dd>{num(money.value.points)}</dd>
          </dl>
        )}
      </Section>
      <Section title={t("admin.activity.title")}>
        <InfiniteList
          label={t("admin.activity.title")}
          reset={props.membershipId}
          load={async (cursor) => {
            const outcome = await call(
              api.GET("/v1/admin/members/{id}/activity", {
                params: { path: { id: props.membershipId }, query: { cursor, limit: 20 } },
              }),
            );
            if (!cursor) money.value = outcome.ok ? outcome.data.money : null;
            return outcome;
          }}
          itemKey={(a) => `${a.kind}:${a.itemId}:${a.occurredAt}`}
          render={(a) => <ActivityItem item={a} />}
        />
      </Section>
    </>
  );
}

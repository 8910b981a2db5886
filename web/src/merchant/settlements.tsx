// A franchise's settlements, newest first: what each one covered and how its payout went.
import { api, call, type Schemas } from "../api.ts";
import { t } from "../i18n/index.ts";
import { InfiniteList, Money, Section, Status, When } from "../ui.tsx";

function SettlementItem(props: { settlement: Schemas["Settlement"] }) {
  const s = props.settlement;
  return (
    <article class="stack" aria-label={t("merchant.settlements.item", { id: s.settlementId })}>
      <div class="item">
        <span class="what">
          <strong>
            <Money amount={s.net} />
          </strong>
          <span class="sub">
            <When at={s.createdAt} /> · {s.settlementId}
          </span>
        </span>
        <Status status={s.status} />
      </div>
      <dl class="facts small">
        <dt>{t("merchant.settlements.payments")}</dt>
        <dd>{s.paymentCount}</dd>
        <dt>{t("merchant.settlements.gross")}</dt>
        <dd>
          <Money amount={s.gross} />
        </dd>
        <dt>{t("merchant.settlements.commission")}</dt>
        <dd>
          <Money amount={s.commission} />
        </dd>
        <dt>{t("merchant.settlements.net")}</dt>
        <dd>
          <Money amount={s.net} />
        </dd>
        <dt>{t("merchant.settlements.paidAt")}</dt>
        <dd>
          <When at={s.paidAt} />
        </dd>
        <dt>{t("merchant.settlements.payout")}</dt>
        <dd>{s.firmbankingId ?? "—"}</dd>
        {s.failureReason ? (
          <>
            <dt>{t("merchant.settlements.reason")}</dt>
            <dd>{s.failureReason}</dd>
          </>
        ) : null}
      </dl>
    </article>
  );
}

export function FranchiseSettlements(props: { franchiseId: string }) {
  return (
    <Section title={t("merchant.settlements.title")}>
      <InfiniteList
        label={t("merchant.settlements.title")}
        load={(cursor) =>
          call(
            api.GET("/v1/settlements", {
              params: { query: { franchiseId: props.franchiseId, cursor, limit: 20 } },
            }),
          )
        }
        itemKey={(s) => s.settlementId}
        render={(s) => <SettlementItem settlement={s} />}
      />
    </Section>
  );
}

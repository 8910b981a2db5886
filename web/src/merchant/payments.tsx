// A franchise's payments, newest first, filtered by status (paid and not settled, cancelled, settled).
import { useSignal } from "@preact/signals";
import { api, call, type Schemas } from "../api.ts";
import { num, t, won } from "../i18n/index.ts";
import { InfiniteList, Money, Section, Status, When } from "../ui.tsx";

type Filter = "" | "NORMAL" | "CANCELLED" | "SETTLED";

function PaymentItem(props: { payment: Schemas["Payment"] }) {
  const p = props.payment;
  return (
    <div class="item">
      <span class="what">
        <Money amount={p.amount} />
        <span class="sub">
          <When at={p.createdAt} /> · {p.paymentId}
        </span>
        {p.paidWithPoints > 0 ? (
          <span class="sub">
            {t("merchant.payments.split", { money: won(p.paidWithMoney), points: num(p.paidWithPoints) })}
          </span>
        ) : null}
      </span>
      <Status status={p.status} />
    </div>
  );
}

export function FranchisePayments(props: { franchiseId: string }) {
  const filter = useSignal<Filter>("");
  const filters: Array<{ value: Filter; label: string }> = [
    { value: "", label: t("merchant.payments.all") },
    { value: "NORMAL", label: t("merchant.payments.paid") },
    { value: "CANCELLED", label: t("merchant.payments.cancelled") },
    { value: "SETTLED", label: t("merchant.payments.settled") },
  ];
  return (
    <Section title={t("merchant.payments.title")}>
      <div class="stack">
        <fieldset class="chips plain-fieldset">
          <legend class="visually-hidden">{t("merchant.payments.filter")}</legend>
          {filters.map((f) => (
            <button
              key={f.value}
              type="button"
              class="btn btn-plain btn-small"
              aria-pressed={filter.value === f.value}
              onClick={() => {
                filter.value = f.value;
              }}
            >
              {f.label}
            </button>
          ))}
        </fieldset>
        <InfiniteList
          label={t("merchant.payments.title")}
          reset={filter.value}
          load={(cursor) =>
            call(
              api.GET("/v1/payments", {
                params: {
                  query: {
                    franchiseId: props.franchiseId,
                    cursor,
                    limit: 20,
                    ...(filter.value ? { status: filter.value } : {}),
                  },
                },
              }),
            )
          }
          itemKey={(p) => p.paymentId}
          render={(p) => <PaymentItem payment={p} />}
        />
      </div>
    </Section>
  );
}

// A payment: what was paid with what, and "cancel" while it is NORMAL (not settled yet).
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, call, type Outcome, type Schemas } from "../api.ts";
import { t, won } from "../i18n/index.ts";
import { useIntent } from "../intent.ts";
import { Button, Link, Loading, Notice, Page, Problem, Section, Status, When } from "../ui.tsx";
import { useFollowed } from "./follow.ts";
import { FranchiseName } from "./items.tsx";
import { retryFor } from "./shared.tsx";

type Payment = Schemas["Payment"];

function RefundFacts(props: { refund: NonNullable<Payment["refund"]> }) {
  const r = props.refund;
  return (
    <div class="stack">
      <Notice>
        {t("wallet.cancel.done", { money: won(r.money), points: r.points, taken: r.pointsTakenBack })}
      </Notice>
      {r.takenFromMoney > 0 ? (
        <p>{t("wallet.cancel.takenFromMoney", { amount: won(r.takenFromMoney) })}</p>
      ) : null}
      <dl class="facts">
        <dt>{t("wallet.cancel.money")}</dt>
        <dd>{won(r.money)}</dd>
        <dt>{t("wallet.cancel.points")}</dt>
        <dd>{t("wallet.points.value", { points: r.points })}</dd>
        <dt>{t("wallet.cancel.pointsTakenBack")}</dt>
        <dd>{t("wallet.points.value", { points: r.pointsTakenBack })}</dd>
        <dt>{t("wallet.cancel.fromMoney")}</dt>
        <dd>{won(r.takenFromMoney)}</dd>
      </dl>
    </div>
  );
}

export function PaymentDetail(props: { id: string }) {
  const first = useSignal<Outcome<Payment> | undefined>(undefined);
  const cancelled = useSignal<Outcome<unknown> | undefined>(undefined);
  const intent = useIntent();
  const get = () => call(api.GET("/v1/payments/{id}", { params: { path: { id: props.id } } }));
  const payment = useFollowed<Payment>(get);
  const load = () => {
    first.value = undefined;
    void get().then((o) => {
      first.value = o;
      if (o.ok) payment.show(o.data);
    });
  };
  useEffect(load, [props.id]);

  const cancel = async () => {
    const body = {};
    const o = await intent.send(body, (key) =>
      call(
        api.POST("/v1/payments/{id}/cancel", {
          params: { path: { id: props.id }, header: { "idempotency-key": key } },
          body,
        }),
      ),
    );
    if (!o) return;
    cancelled.value = o;
    if (o.ok) payment.show(o.data);
    else if (o.problem?.code === "ALREADY_SETTLED" || o.problem?.code === "CONFLICT")
      void get().then((fresh) => {
        if (fresh.ok) payment.show(fresh.data);
      });
  };

  const p = payment.value;
  const settledRefusal =
    cancelled.value && !cancelled.value.ok && cancelled.value.problem?.code === "ALREADY_SETTLED";
  return (
    <Page title={t("wallet.payment.title")}>
      <p>
        <Link href="/history?filter=payments">{t("wallet.backHistory")}</Link>
      </p>
      {!first.value ? (
        <Loading />
      ) : !p ? (
        <Problem outcome={first.value} onRetry={load} />
      ) : (
        <Section title={t("wallet.payment.facts")}>
          <dl class="facts">
            <dt>{t("wallet.payment.franchise")}</dt>
            <dd>
              <FranchiseName id={p.franchiseId} />
            </dd>
            <dt>{t("wallet.payment.status")}</dt>
            <dd>
              <Status status={p.status} />
            </dd>
            <dt>{t("wallet.amountLabel")}</dt>
            <dd>{won(p.amount)}</dd>
            <dt>{t("wallet.pay.withMoney")}</dt>
            <dd>{won(p.paidWithMoney)}</dd>
            <dt>{t("wallet.pay.withPoints")}</dt>
            <dd>{t("wallet.points.value", { points: p.paidWithPoints })}</dd>
            <dt>{t("wallet.pay.earned")}</dt>
            <dd>{t("wallet.points.value", { points: p.pointsEarned })}</dd>
            <dt>{t("wallet.when")}</dt>
            <dd>
              <When at={p.createdAt} />
            </dd>
            <dt>{t("wallet.payment.id")}</dt>
            <dd>{p.paymentId}</dd>
          </dl>
          {p.autoRecharged ? <p>{t("wallet.autoRecharged")}</p> : null}
          {p.refund ? <RefundFacts refund={p.refund} /> : null}
          {p.status === "CANCELLING" ? <Notice tone="info">{t("wallet.cancel.pending")}</Notice> : null}
          {p.status === "SETTLED" ? <p class="muted">{t("wallet.cancel.settled")}</p> : null}
          {settledRefusal ? (
            <div class="problem" role="alert">
              <p>
                {t("problem.ALREADY_SETTLED")} {t("wallet.cancel.settledWhy")}
              </p>
            </div>
          ) : (
            <Problem outcome={cancelled.value} onRetry={retryFor(cancelled.value, () => void cancel())} />
          )}
          {p.status === "NORMAL" ? (
            <Button kind="danger" busy={intent.busy} onClick={() => void cancel()}>
              {t("wallet.cancel.button")}
            </Button>
          ) : null}
        </Section>
      )}
    </Page>
  );
}

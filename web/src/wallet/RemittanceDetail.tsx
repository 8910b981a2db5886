// A remittance with its steps; while PENDING it is asked again every second.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, call, type Outcome, type Schemas } from "../api.ts";
import { t, won } from "../i18n/index.ts";
import { Link, Loading, Notice, Page, Problem, Section, Status, When } from "../ui.tsx";
import { useFollowed } from "./follow.ts";
import { recipientText } from "./items.tsx";
import { myId } from "./shared.tsx";

type Detail = Schemas["RemittanceDetail"];

function stepOutcome(outcome: Detail["steps"][number]["outcome"]): string {
  switch (outcome) {
    case "done":
      return t("wallet.step.done");
    case "waiting":
      return t("wallet.step.waiting");
    case "failed":
      return t("wallet.step.failed");
    case "stuck":
      return t("wallet.step.stuck");
    case "retried":
      return t("wallet.step.retried");
    default:
      return outcome;
  }
}

function stepName(step: string): string {
  switch (step) {
    case "recharge":
      return t("wallet.step.recharge");
    case "transfer":
      return t("wallet.step.transfer");
    case "hold":
      return t("wallet.step.hold");
    case "payout":
      return t("wallet.step.payout");
    case "settle":
      return t("wallet.step.settle");
    default:
      return step;
  }
}

export function RemittanceDetail(props: { id: string }) {
  const first = useSignal<Outcome<Detail> | undefined>(undefined);
  const get = () => call(api.GET("/v1/remittances/{id}", { params: { path: { id: props.id } } }));
  const detail = useFollowed<Detail>(get);
  const load = () => {
    first.value = undefined;
    void get().then((o) => {
      first.value = o;
      if (o.ok) detail.show(o.data);
    });
  };
  useEffect(load, [props.id]);
  const r = detail.value;
  const sent = r ? r.from.membershipId === myId() : false;
  return (
    <Page title={t("wallet.remittance.title")}>
      <p>
        <Link href="/history?filter=remittances">{t("wallet.backHistory")}</Link>
      </p>
      {!first.value ? (
        <Loading />
      ) : !r ? (
        <Problem outcome={first.value} onRetry={load} />
      ) : (
        <>
          <Section title={t("wallet.remittance.facts")}>
            {r.status === "PENDING" ? <Notice tone="info">{t("wallet.remittance.pending")}</Notice> : null}
            <dl class="facts">
              <dt>{t("wallet.remittance.direction")}</dt>
              <dd>
                {sent ? t("wallet.remit.sentTo", { to: recipientText(r) }) : t("wallet.remit.received")}
              </dd>
              <dt>{t("wallet.payment.status")}</dt>
              <dd>
                <Status status={r.status} />
              </dd>
              <dt>{t("wallet.amountLabel")}</dt>
              <dd>{won(r.amount)}</dd>
              <dt>{t("wallet.remittance.fee")}</dt>
              <dd>{won(r.fee)}</dd>
              {r.memo ? (
                <>
                  <dt>{t("wallet.send.memo")}</dt>
                  <dd>{r.memo}</dd>
                </>
              ) : null}
              <dt>{t("wallet.when")}</dt>
              <dd>
                <When at={r.createdAt} />
              </dd>
              <dt>{t("wallet.remittance.completed")}</dt>
              <dd>
                <When at={r.completedAt} />
              </dd>
              {r.failureReason ? (
                <>
                  <dt>{t("wallet.remittance.reason")}</dt>
                  <dd>{r.failureReason}</dd>
                </>
              ) : null}
            </dl>
            {r.autoRecharged ? <p>{t("wallet.autoRecharged")}</p> : null}
          </Section>
          <Section title={t("wallet.remittance.steps")}>
            {r.steps.length === 0 ? (
              <p class="muted">{t("app.empty")}</p>
            ) : (
              <ol class="list steps">
                {r.steps.map((s) => (
                  <li key={`${s.at}-${s.step}-${s.phase}-${s.outcome}`} class="item">
                    <span class="what">
                      <span>
                        {stepName(s.step)}
                        {s.phase === "compensation" ? ` (${t("wallet.step.compensation")})` : ""}
                      </span>
                      <span class="sub">
                        <When at={s.at} />
                        {s.reason ? ` · ${s.reason}` : ""}
                      </span>
                    </span>
                    <span>{stepOutcome(s.outcome)}</span>
                  </li>
                ))}
              </ol>
            )}
          </Section>
        </>
      )}
    </Page>
  );
}

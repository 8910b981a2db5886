// Withdrawing a member, confirmed inline first; a member who still holds money cannot be withdrawn.
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { api, call, type Outcome, type Schemas } from "../api.ts";
import { t } from "../i18n/index.ts";
import { Button, Notice, Problem, Section } from "../ui.tsx";

export function WithdrawMember(props: { member: Schemas["Membership"]; onWithdrawn: () => void }) {
  const m = props.member;
  const confirming = useSignal(false);
  const busy = useSignal(false);
  const outcome = useSignal<Outcome<unknown> | undefined>(undefined);
  const withdraw = async () => {
    if (busy.value) return;
    busy.value = true;
    outcome.value = await call(
      api.DELETE("/v1/memberships/{id}", { params: { path: { id: m.membershipId } } }),
    );
    busy.value = false;
    confirming.value = false;
    if (outcome.value.ok) props.onWithdrawn();
  };
  const confirmBox = useRef<HTMLFieldSetElement>(null);
  useEffect(() => {
    if (confirming.value) confirmBox.current?.querySelector("button")?.focus();
  }, [confirming.value]);
  const failed = outcome.value && !outcome.value.ok ? outcome.value : undefined;
  return (
    <Section title={t("admin.withdraw.title")}>
      {outcome.value?.ok ? (
        <Notice>{t("admin.withdraw.done", { name: m.name })}</Notice>
      ) : m.status === "WITHDRAWN" ? (
        <Notice tone="info">{t("admin.withdraw.already")}</Notice>
      ) : confirming.value ? (
        <fieldset class="stack plain-fieldset" ref={confirmBox}>
          <legend class="visually-hidden">{t("admin.withdraw.title")}</legend>
          <p>{t("admin.withdraw.confirmText", { name: m.name, email: m.email })}</p>
          <div class="row">
            <Button kind="danger" busy={busy.value} onClick={() => void withdraw()}>
              {t("admin.withdraw.confirm")}
            </Button>
            <Button
              kind="plain"
              onClick={() => {
                confirming.value = false;
              }}
            >
              {t("app.cancel")}
            </Button>
          </div>
        </fieldset>
      ) : (
        <div class="stack">
          <p class="muted">{t("admin.withdraw.explain")}</p>
          <div>
            <Button
              kind="danger"
              onClick={() => {
                outcome.value = undefined;
                confirming.value = true;
              }}
            >
              {t("admin.withdraw.button")}
            </Button>
          </div>
        </div>
      )}
      {failed?.status === 409 ? (
        <div class="problem" role="alert">
          <p>{t("admin.withdraw.conflict")}</p>
        </div>
      ) : (
        <Problem outcome={failed} onRetry={() => void withdraw()} />
      )}
    </Section>
  );
}

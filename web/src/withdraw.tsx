// Withdrawing a member (staff in the console, or members themselves in the wallet), confirmed inline
// first; a member who still holds money cannot be withdrawn. The caller gives the words.
import { useSignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { api, call, type Outcome, type Schemas } from "./api.ts";
import { t } from "./i18n/index.ts";
import { Button, Notice, Problem, Section } from "./ui.tsx";

export interface WithdrawTexts {
  title: string;
  explain: string;
  button: string;
  confirmText: string;
  confirm: string;
  done: string;
  already: string;
  /** Why it was refused: the member still holds money. */
  conflict: string;
}

export function WithdrawMember(props: {
  member: Schemas["Membership"];
  texts: WithdrawTexts;
  onWithdrawn: () => void;
  /** Shown under the explanation (the wallet shows the money left). */
  children?: ComponentChildren;
}) {
  const m = props.member;
  const texts = props.texts;
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
    <Section title={texts.title}>
      {outcome.value?.ok ? (
        <Notice>{texts.done}</Notice>
      ) : m.status === "WITHDRAWN" ? (
        <Notice tone="info">{texts.already}</Notice>
      ) : confirming.value ? (
        <fieldset class="stack plain-fieldset" ref={confirmBox}>
          <legend class="visually-hidden">{texts.title}</legend>
          <p>{texts.confirmText}</p>
          <div class="row">
            <Button kind="danger" busy={busy.value} onClick={() => void withdraw()}>
              {texts.confirm}
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
          <p class="muted">{texts.explain}</p>
          {props.children}
          <div>
            <Button
              kind="danger"
              onClick={() => {
                outcome.value = undefined;
                confirming.value = true;
              }}
            >
              {texts.button}
            </Button>
          </div>
        </div>
      )}
      {failed?.status === 409 ? (
        <div class="problem" role="alert">
          <p>{texts.conflict}</p>
        </div>
      ) : (
        <Problem outcome={failed} onRetry={() => void withdraw()} />
      )}
    </Section>
  );
}

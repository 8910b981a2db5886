// What needs a person: sagas out of retries (STUCK) and events a consumer could not handle.
import { useSignal } from "@preact/signals";
import { api, call, type Outcome, type Schemas } from "../api.ts";
import { t } from "../i18n/index.ts";
import { Button, InfiniteList, Notice, Problem, Section, When } from "../ui.tsx";
import { AnyStatus } from "./format.tsx";

/** A button whose action answers with the thing's new status, shown next to it. */
function ActionButton(props: {
  label: string;
  name: string;
  run: () => Promise<Outcome<{ status: string }>>;
}) {
  const outcome = useSignal<Outcome<{ status: string }> | undefined>(undefined);
  const busy = useSignal(false);
  const act = async () => {
    if (busy.value) return;
    busy.value = true;
    outcome.value = await props.run();
    busy.value = false;
  };
  const done = outcome.value?.ok ? outcome.value.data : undefined;
  return (
    <div class="stack">
      <div>
        <Button kind="plain" class="btn-small" busy={busy.value} onClick={() => void act()}>
          {props.label}
          <span class="visually-hidden"> {props.name}</span>
        </Button>
      </div>
      {done ? (
        <Notice>
          {t("admin.ops.now")} <AnyStatus status={done.status} />
        </Notice>
      ) : null}
      <Problem outcome={outcome.value} onRetry={() => void act()} />
    </div>
  );
}

function SagaItem(props: { saga: Schemas["Saga"] }) {
  const s = props.saga;
  return (
    <div class="stack">
      <div class="spread">
        <span class="what">
          <strong>
            {s.type} · {s.step ?? "—"}
          </strong>
          <span class="sub">
            {s.sagaId} · <When at={s.updatedAt} />
          </span>
        </span>
        <AnyStatus status={s.status} />
      </div>
      {s.lastError || s.failureReason ? <p class="sub error-text">{s.lastError ?? s.failureReason}</p> : null}
      <ActionButton
        label={t("admin.ops.retry")}
        name={s.sagaId}
        run={() =>
          call(api.POST("/v1/admin/sagas/{id}/retry", { params: { path: { id: s.sagaId } }, body: {} }))
        }
      />
    </div>
  );
}

export function StuckSagas() {
  return (
    <Section title={t("admin.ops.sagas")}>
      <InfiniteList
        label={t("admin.ops.sagas")}
        load={(cursor) =>
          call(api.GET("/v1/admin/sagas", { params: { query: { status: "STUCK", cursor, limit: 20 } } }))
        }
        itemKey={(s) => s.sagaId}
        render={(s) => <SagaItem saga={s} />}
      />
    </Section>
  );
}

function DeadLetterItem(props: { letter: Schemas["DeadLetter"] }) {
  const d = props.letter;
  return (
    <div class="stack">
      <div class="spread">
        <span class="what">
          <strong>
            {d.eventType} → {d.consumer}
          </strong>
          <span class="sub">
            {d.deadLetterId} · {t("admin.ops.attempts", { count: d.attempts })} ·{" "}
            <When at={d.deadLetteredAt} />
          </span>
        </span>
        <AnyStatus status={d.status} />
      </div>
      <p class="sub error-text">{d.error}</p>
      {d.status === "DEAD_LETTERED" ? (
        <ActionButton
          label={t("admin.ops.replay")}
          name={d.deadLetterId}
          run={() =>
            call(
              api.POST("/v1/admin/dead-letters/{id}/replay", {
                params: { path: { id: d.deadLetterId } },
                body: {},
              }),
            )
          }
        />
      ) : null}
    </div>
  );
}

export function DeadLetters() {
  return (
    <Section title={t("admin.ops.deadLetters")}>
      <InfiniteList
        label={t("admin.ops.deadLetters")}
        load={(cursor) =>
          call(api.GET("/v1/admin/dead-letters", { params: { query: { cursor, limit: 20 } } }))
        }
        itemKey={(d) => d.deadLetterId}
        render={(d) => <DeadLetterItem letter={d} />}
      />
    </Section>
  );
}

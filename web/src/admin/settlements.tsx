// Running settlement now (with an optional cutoff), and the pages of the runs.
import { useSignal } from "@preact/signals";
import { api, call, type Outcome } from "../api.ts";
import { t } from "../i18n/index.ts";
import { useIntent } from "../intent.ts";
import { navigate } from "../router.ts";
import { Button, Field, Form, Link, Page, Problem, Section } from "../ui.tsx";
import { RecentRuns, RunView } from "./runs.tsx";

function RunForm() {
  const cutoff = useSignal("");
  const error = useSignal<string | undefined>(undefined);
  const outcome = useSignal<Outcome<unknown> | undefined>(undefined);
  const intent = useIntent();
  const submit = async () => {
    const at = cutoff.value ? new Date(cutoff.value) : undefined;
    if (at && (Number.isNaN(at.getTime()) || at.getTime() > Date.now())) {
      error.value = t("admin.settle.cutoffInvalid");
      return;
    }
    error.value = undefined;
    const body = at ? { cutoff: at.toISOString() } : {};
    const result = await intent.send(body, (key) =>
      call(api.POST("/v1/admin/settlements/run", { body, params: { header: { "idempotency-key": key } } })),
    );
    if (!result) return;
    outcome.value = result;
    if (result.ok) navigate(`/admin/settlements/${encodeURIComponent(result.data.runId)}`);
  };
  return (
    <Section title={t("admin.settle.run")}>
      <Form onSubmit={() => void submit()} label={t("admin.settle.run")}>
        <Field
          label={t("admin.settle.cutoff")}
          type="datetime-local"
          name="cutoff"
          hint={t("admin.settle.cutoffHint")}
          error={error.value}
          value={cutoff.value}
          onValue={(v) => {
            cutoff.value = v;
          }}
        />
        <Problem outcome={outcome.value} onRetry={() => void submit()} />
        <div>
          <Button type="submit" busy={intent.busy}>
            {t("admin.settle.submit")}
          </Button>
        </div>
      </Form>
    </Section>
  );
}

export function SettlementsPage() {
  return (
    <Page title={t("admin.settle.title")}>
      <RunForm />
      <RecentRuns title={t("admin.runs.title")} />
    </Page>
  );
}

export function RunPage(props: { runId: string }) {
  return (
    <Page
      title={t("admin.run.pageTitle")}
      actions={
        <Link href="/admin/settlements" class="btn btn-plain">
          {t("admin.settle.back")}
        </Link>
      }
    >
      <RunView runId={props.runId} />
    </Page>
  );
}

// Changing a franchise's commission (it applies to payments made after the change) and its audit trail.
import { useSignal } from "@preact/signals";
import { api, call, type Outcome, retryable, type Schemas } from "../api.ts";
import { percent, t } from "../i18n/index.ts";
import { useIntent } from "../intent.ts";
import { Button, Field, Form, Loaded, Notice, Problem, Section, Table, When } from "../ui.tsx";

type Franchise = Schemas["Franchise"];
type History = Schemas["CommissionHistory"];

export function CommissionForm(props: { franchise: Franchise; onChanged: (f: Franchise) => void }) {
  const f = props.franchise;
  const bps = useSignal(String(f.commissionBps));
  const error = useSignal<string | undefined>(undefined);
  const outcome = useSignal<Outcome<Franchise> | undefined>(undefined);
  const intent = useIntent();
  const submit = async () => {
    const text = bps.value.trim();
    const value = Number(text);
    if (!/^[0-9]+$/.test(text) || value > 10_000) {
      error.value = t("admin.commission.invalid");
      return;
    }
    error.value = undefined;
    const body = { commissionBps: value };
    const result = await intent.send(body, () =>
      call(
        api.PATCH("/v1/admin/franchises/{id}/commission", { params: { path: { id: f.franchiseId } }, body }),
      ),
    );
    if (!result) return;
    outcome.value = result;
    if (result.ok) props.onChanged(result.data);
  };
  const changed = outcome.value?.ok ? outcome.value.data : undefined;
  return (
    <Section title={t("admin.commission.title")}>
      <Form onSubmit={() => void submit()} label={t("admin.commission.title")}>
        <p>{t("admin.commission.current", { rate: percent(f.commissionBps) })}</p>
        <Field
          label={t("admin.commission.field")}
          type="number"
          name="commissionBps"
          inputMode="numeric"
          min={0}
          max={10000}
          step={1}
          required
          hint={t("admin.commission.hint")}
          error={error.value}
          value={bps.value}
          onValue={(v) => {
            bps.value = v;
          }}
        />
        {changed ? (
          <Notice>{t("admin.commission.changed", { rate: percent(changed.commissionBps) })}</Notice>
        ) : null}
        <Problem
          outcome={outcome.value}
          onRetry={outcome.value && retryable(outcome.value) ? () => void submit() : undefined}
        />
        <div>
          <Button type="submit" busy={intent.busy}>
            {t("admin.commission.submit")}
          </Button>
        </div>
      </Form>
    </Section>
  );
}

export function CommissionHistory(props: {
  load: { outcome: Outcome<History> | undefined; reload: () => void };
}) {
  return (
    <Section title={t("admin.commission.history")}>
      <Loaded load={props.load}>
        {(h) => (
          <Table caption={t("admin.commission.history")}>
            <thead>
              <tr>
                <th scope="col">{t("admin.commission.changedAt")}</th>
                <th scope="col" class="num">
                  {t("admin.commission.rate")}
                </th>
                <th scope="col" class="num">
                  {t("admin.commission.previous")}
                </th>
                <th scope="col">{t("admin.commission.changedBy")}</th>
              </tr>
            </thead>
            <tbody>
              {h.items.map((c) => (
                <tr key={`${c.changedAt}:${c.commissionBps}`}>
                  <th scope="row">
                    <When at={c.changedAt} />
                  </th>
                  <td class="num">
                    {percent(c.commissionBps)} ({t("admin.franchise.bps", { bps: c.commissionBps })})
                  </td>
                  <td class="num">
                    {c.previousBps === null ? t("admin.commission.initial") : percent(c.previousBps)}
                  </td>
                  <td class="id">{c.changedBy}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Loaded>
    </Section>
  );
}

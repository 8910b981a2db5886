// Bank contracts: each bank's status, contract expiry and fee per transfer, edited one row at a time.
import { useSignal } from "@preact/signals";
import { useId } from "preact/hooks";
import { api, call, type Outcome, retryable, type Schemas } from "../api.ts";
import { t, won } from "../i18n/index.ts";
import { useIntent } from "../intent.ts";
import {
  Button,
  Field,
  Form,
  Loaded,
  Notice,
  Page,
  Problem,
  Section,
  Select,
  Status,
  Table,
  useLoad,
  When,
} from "../ui.tsx";
import { dateInKorea, koreanDayStart } from "./format.tsx";

type Bank = Schemas["Bank"];

function DateField(props: { label: string; value: string; onValue: (v: string) => void; hint: string }) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        type="date"
        id={id}
        value={props.value}
        aria-describedby={`${id}-hint`}
        onInput={(e) => props.onValue((e.currentTarget as HTMLInputElement).value)}
      />
      <p class="hint" id={`${id}-hint`}>
        {props.hint}
      </p>
    </div>
  );
}

function BankForm(props: { bank: Bank; onSaved: (b: Bank) => void; onClose: () => void }) {
  const b = props.bank;
  const status = useSignal<Bank["status"]>(b.status);
  const expires = useSignal(dateInKorea(b.contractExpiresAt));
  const fee = useSignal(String(b.feePerTransfer));
  const error = useSignal<string | undefined>(undefined);
  const outcome = useSignal<Outcome<Bank> | undefined>(undefined);
  const intent = useIntent();
  const submit = async () => {
    if (!/^[0-9]+$/.test(fee.value.trim())) {
      error.value = t("admin.banks.feeInvalid");
      return;
    }
    error.value = undefined;
    const body = {
      status: status.value,
      feePerTransfer: Number(fee.value.trim()),
      ...(expires.value ? { contractExpiresAt: koreanDayStart(expires.value) } : {}),
    };
    const result = await intent.send(body, () =>
      call(api.PATCH("/v1/admin/banks/{bankCode}", { params: { path: { bankCode: b.bankCode } }, body })),
    );
    if (!result) return;
    outcome.value = result;
    if (result.ok) props.onSaved(result.data);
  };
  return (
    <Form
      onSubmit={() => void submit()}
      label={t("admin.banks.formLabel", { name: b.name, code: b.bankCode })}
    >
      <div class="grid tight">
        <Select
          label={t("admin.banks.status")}
          name="status"
          value={status.value}
          onValue={(v) => {
            status.value = v === "SUSPENDED" ? "SUSPENDED" : "ACTIVE";
          }}
          options={[
            { value: "ACTIVE", label: t("status.ACTIVE") },
            { value: "SUSPENDED", label: t("status.SUSPENDED") },
          ]}
        />
        <DateField
          label={t("admin.banks.expires")}
          hint={t("admin.banks.expiresHint")}
          value={expires.value}
          onValue={(v) => {
            expires.value = v;
          }}
        />
        <Field
          label={t("admin.banks.fee")}
          type="number"
          name="feePerTransfer"
          inputMode="numeric"
          min={0}
          step={1}
          error={error.value}
          value={fee.value}
          onValue={(v) => {
            fee.value = v;
          }}
        />
      </div>
      {outcome.value?.ok ? <Notice>{t("admin.banks.saved", { name: b.name })}</Notice> : null}
      <Problem
        outcome={outcome.value}
        onRetry={outcome.value && retryable(outcome.value) ? () => void submit() : undefined}
      />
      <div class="row">
        <Button type="submit" busy={intent.busy}>
          {t("admin.banks.save")}
        </Button>
        <Button kind="plain" onClick={props.onClose}>
          {t("app.close")}
        </Button>
      </div>
    </Form>
  );
}

function BankRows(props: { bank: Bank; onSaved: (b: Bank) => void }) {
  const b = props.bank;
  const open = useSignal(false);
  const formId = useId();
  return (
    <>
      <tr>
        <th scope="row">{b.bankCode}</th>
        <td>{b.name}</td>
        <td>
          <Status status={b.status} />
        </td>
        <td>
          <When at={b.contractExpiresAt} />
        </td>
        <td class="num">{won(b.feePerTransfer)}</td>
        <td>
          <Button
            kind="plain"
            class="btn-small"
            aria-expanded={open.value}
            aria-controls={formId}
            onClick={() => {
              open.value = !open.value;
            }}
          >
            {t("admin.banks.edit")}
            <span class="visually-hidden"> {b.name}</span>
          </Button>
        </td>
      </tr>
      {open.value ? (
        <tr id={formId}>
          <td colSpan={6}>
            <BankForm
              bank={b}
              onSaved={props.onSaved}
              onClose={() => {
                open.value = false;
              }}
            />
          </td>
        </tr>
      ) : null}
    </>
  );
}

export function BanksPage() {
  const banks = useLoad(() => call(api.GET("/v1/banks")));
  return (
    <Page title={t("admin.banks.title")}>
      <Section title={t("admin.banks.contracts")}>
        <Loaded load={banks}>
          {(list) => (
            <Table caption={t("admin.banks.contracts")}>
              <thead>
                <tr>
                  <th scope="col">{t("admin.banks.code")}</th>
                  <th scope="col">{t("admin.banks.name")}</th>
                  <th scope="col">{t("admin.banks.status")}</th>
                  <th scope="col">{t("admin.banks.expires")}</th>
                  <th scope="col" class="num">
                    {t("admin.banks.fee")}
                  </th>
                  <th scope="col">
                    <span class="visually-hidden">{t("admin.banks.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((b) => (
                  <BankRows
                    key={b.bankCode}
                    bank={b}
                    onSaved={(saved) =>
                      banks.set({
                        items: list.items.map((x) => (x.bankCode === saved.bankCode ? saved : x)),
                      })
                    }
                  />
                ))}
              </tbody>
            </Table>
          )}
        </Loaded>
      </Section>
    </Page>
  );
}

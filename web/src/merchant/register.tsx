// Registering a franchise: its name, business number, region and the settlement account the bank must
// confirm is held in the merchant's name. In the sandbox, a test account can be opened on the spot.
import { useSignal } from "@preact/signals";
import { api, call, type Outcome, retryable, type Schemas } from "../api.ts";
import { regionOptions, regions } from "../auth.tsx";
import { t } from "../i18n/index.ts";
import { useIntent } from "../intent.ts";
import { navigate } from "../router.ts";
import { Button, Field, Form, Loaded, Notice, Page, Problem, Select, useLoad } from "../ui.tsx";
import { loadWebConfig, openSandboxAccount, type SandboxAccount } from "../web-routes.ts";
import { businessNumberValid } from "./format.ts";

type Bank = Schemas["Bank"];

function SandboxHelper(props: { bankCode: string; onAccount: (account: SandboxAccount) => void }) {
  const outcome = useSignal<Outcome<SandboxAccount> | undefined>(undefined);
  const busy = useSignal(false);
  const open = async () => {
    if (busy.value || !props.bankCode) return;
    busy.value = true;
    outcome.value = await openSandboxAccount(props.bankCode);
    busy.value = false;
    if (outcome.value.ok) props.onAccount(outcome.value.data);
  };
  const opened = outcome.value?.ok ? outcome.value.data : undefined;
  return (
    <div class="stack">
      <p class="hint">{t("merchant.register.sandboxHint")}</p>
      <div>
        <Button kind="plain" busy={busy.value} onClick={() => void open()}>
          {t("merchant.register.sandbox")}
        </Button>
      </div>
      {opened ? (
        <Notice>
          {t("merchant.register.sandboxOpened", {
            account: opened.accountNumber,
            holder: opened.holderName,
          })}
        </Notice>
      ) : null}
      <Problem outcome={outcome.value} onRetry={() => void open()} />
    </div>
  );
}

function RegisterForm(props: { banks: Bank[]; sandbox: boolean }) {
  const active = props.banks.filter((b) => b.status === "ACTIVE");
  const name = useSignal("");
  const businessNumber = useSignal("");
  const region = useSignal<string>(regions[0]);
  const bankCode = useSignal(active[0]?.bankCode ?? "");
  const accountNumber = useSignal("");
  const errors = useSignal<Partial<Record<"name" | "businessNumber" | "accountNumber", string>>>({});
  const outcome = useSignal<Outcome<unknown> | undefined>(undefined);
  const intent = useIntent();

  const submit = async () => {
    const body = {
      name: name.value.trim(),
      businessNumber: businessNumber.value.trim(),
      region: region.value,
      settlementAccount: { bankCode: bankCode.value, accountNumber: accountNumber.value.trim() },
    };
    const found: typeof errors.value = {};
    if (!body.name) found.name = t("merchant.register.nameMissing");
    if (!businessNumberValid(body.businessNumber))
      found.businessNumber = t("merchant.register.businessInvalid");
    if (!/^[0-9]{1,32}$/.test(body.settlementAccount.accountNumber))
      found.accountNumber = t("merchant.register.accountInvalid");
    errors.value = found;
    if (Object.keys(found).length > 0) return;
    const result = await intent.send(body, () => call(api.POST("/v1/franchises", { body })));
    if (!result) return;
    outcome.value = result;
    if (result.ok) navigate(`/merchant/franchises/${encodeURIComponent(result.data.franchiseId)}`);
  };

  return (
    <Form onSubmit={() => void submit()} label={t("merchant.register.title")}>
      <Field
        label={t("merchant.register.name")}
        name="name"
        required
        maxLength={100}
        value={name.value}
        error={errors.value.name}
        onValue={(v) => {
          name.value = v;
        }}
      />
      <Field
        label={t("merchant.register.businessNumber")}
        name="businessNumber"
        inputMode="numeric"
        required
        placeholder="123-45-67891"
        hint={t("merchant.register.businessHint")}
        value={businessNumber.value}
        error={errors.value.businessNumber}
        onValue={(v) => {
          businessNumber.value = v;
        }}
      />
      <Select
        label={t("auth.region")}
        name="region"
        value={region.value}
        onValue={(v) => {
          region.value = v;
        }}
        options={regionOptions()}
      />
      <fieldset class="group">
        <legend>{t("merchant.register.account")}</legend>
        <p class="hint">{t("merchant.register.accountHint")}</p>
        <Select
          label={t("merchant.register.bank")}
          name="bankCode"
          value={bankCode.value}
          onValue={(v) => {
            bankCode.value = v;
          }}
          options={active.map((b) => ({ value: b.bankCode, label: `${b.name} (${b.bankCode})` }))}
        />
        <Field
          label={t("merchant.register.accountNumber")}
          name="accountNumber"
          inputMode="numeric"
          required
          value={accountNumber.value}
          error={errors.value.accountNumber}
          onValue={(v) => {
            accountNumber.value = v;
          }}
        />
        {props.sandbox ? (
          <SandboxHelper
            bankCode={bankCode.value}
            onAccount={(account) => {
              outcome.value = undefined;
              bankCode.value = account.bankCode;
              accountNumber.value = account.accountNumber;
            }}
          />
        ) : null}
      </fieldset>
      <Problem
        outcome={outcome.value}
        onRetry={outcome.value && retryable(outcome.value) ? () => void submit() : undefined}
      />
      <Button type="submit" busy={intent.busy}>
        {t("merchant.register.submit")}
      </Button>
    </Form>
  );
}

export function RegisterPage() {
  const banks = useLoad(() => call(api.GET("/v1/banks")));
  const config = useLoad(loadWebConfig);
  return (
    <Page title={t("merchant.register.title")}>
      <div class="card">
        <Loaded load={banks}>
          {(list) => (
            <RegisterForm
              banks={list.items}
              sandbox={config.outcome?.ok === true && config.outcome.data.sandbox}
            />
          )}
        </Loaded>
      </div>
    </Page>
  );
}

// Linked bank accounts: the list with unlink (confirmed inline), the link form, and in the sandbox a
// helper that opens a test account in the member's name and fills the form with it.
import { useSignal } from "@preact/signals";
import { api, call, type Outcome, type Schemas } from "../api.ts";
import { t, won } from "../i18n/index.ts";
import {
  Button,
  Field,
  Form,
  Loaded,
  Notice,
  Page,
  Problem as ProblemBox,
  Section,
  Select,
  Status,
  useLoad,
  When,
} from "../ui.tsx";
import { openSandboxAccount, type SandboxAccount } from "../web-routes.ts";
import { bankName, bankOptions, banks, banksFailed, config, loadBanks } from "./shared.tsx";

type Account = Schemas["BankAccount"];

function AccountRow(props: { account: Account; onGone: () => void }) {
  const a = props.account;
  const confirming = useSignal(false);
  const busy = useSignal(false);
  const outcome = useSignal<Outcome<unknown> | undefined>(undefined);
  const label = `${bankName(a.bankCode)} ${a.accountNumber}`;
  const unlink = async () => {
    if (busy.value) return;
    busy.value = true;
    const o = await call(api.DELETE("/v1/bank-accounts/{id}", { params: { path: { id: a.bankAccountId } } }));
    busy.value = false;
    outcome.value = o;
    if (o.ok) props.onGone();
  };
  return (
    <div class="stack">
      <div class="spread">
        <span class="what">
          <strong>{label}</strong>
          <span class="sub muted">
            {a.holderName} · <When at={a.linkedAt} /> <Status status={a.status} />
          </span>
        </span>
        {a.status === "LINKED" && !confirming.value ? (
          <Button kind="plain" class="btn-small" onClick={() => (confirming.value = true)}>
            {t("wallet.accounts.unlink")}
          </Button>
        ) : null}
      </div>
      {confirming.value ? (
        <fieldset class="confirm row plain-set">
          <legend>{t("wallet.accounts.confirm", { account: label })}</legend>
          <Button kind="danger" class="btn-small" busy={busy.value} onClick={() => void unlink()}>
            {t("wallet.accounts.yesUnlink")}
          </Button>
          <Button kind="plain" class="btn-small" onClick={() => (confirming.value = false)}>
            {t("wallet.accounts.keep")}
          </Button>
        </fieldset>
      ) : null}
      <ProblemBox outcome={outcome.value} onRetry={() => void unlink()} />
    </div>
  );
}

function TestAccount(props: { onOpened: (account: SandboxAccount) => void }) {
  const bank = useSignal("");
  const busy = useSignal(false);
  const outcome = useSignal<Outcome<unknown> | undefined>(undefined);
  const opened = useSignal<SandboxAccount | undefined>(undefined);
  const missing = useSignal(false);
  const open = async () => {
    if (busy.value) return;
    missing.value = !bank.value;
    if (missing.value) return;
    busy.value = true;
    outcome.value = undefined;
    const answer = await openSandboxAccount(bank.value);
    busy.value = false;
    if (!answer.ok) {
      outcome.value = answer;
      return;
    }
    opened.value = answer.data;
    props.onOpened(answer.data);
  };
  return (
    <div class="card sandbox stack">
      <h3>{t("wallet.sandbox.title")}</h3>
      <p class="muted">{t("wallet.sandbox.explain")}</p>
      <div class="row">
        <Select
          label={t("wallet.sandbox.bank")}
          value={bank.value}
          onValue={(v) => (bank.value = v)}
          options={bankOptions()}
        />
        <Button kind="plain" busy={busy.value} onClick={() => void open()}>
          {t("wallet.sandbox.open")}
        </Button>
      </div>
      {missing.value ? (
        <p class="field-error" role="alert">
          {t("wallet.bank.chooseFirst")}
        </p>
      ) : (
        <ProblemBox outcome={outcome.value} />
      )}
      {opened.value ? (
        <Notice>
          {t("wallet.sandbox.opened", {
            bank: bankName(opened.value.bankCode),
            number: opened.value.accountNumber,
            name: opened.value.holderName,
            balance: won(opened.value.balance),
          })}
        </Notice>
      ) : null}
    </div>
  );
}

export function Accounts() {
  const list = useLoad(() => call(api.GET("/v1/bank-accounts")));
  const bank = useSignal("");
  const number = useSignal("");
  const outcome = useSignal<Outcome<Account> | undefined>(undefined);
  const busy = useSignal(false);
  const errors = useSignal<{ bank?: string; number?: string }>({});
  const link = async () => {
    if (busy.value) return;
    const accountNumber = number.value.replace(/[\s-]/g, "");
    errors.value = {
      ...(bank.value ? {} : { bank: t("wallet.bank.chooseFirst") }),
      ...(/^\d{4,30}$/.test(accountNumber) ? {} : { number: t("wallet.accounts.numberInvalid") }),
    };
    if (errors.value.bank || errors.value.number) return;
    busy.value = true;
    outcome.value = await call(
      api.POST("/v1/bank-accounts", { body: { bankCode: bank.value, accountNumber } }),
    );
    busy.value = false;
    if (outcome.value.ok) {
      number.value = "";
      list.reload();
    }
  };
  return (
    <Page title={t("wallet.accounts.title")}>
      <Section title={t("wallet.accounts.linked")}>
        <Loaded load={list}>
          {(data) =>
            data.items.length === 0 ? (
              <p class="muted">{t("wallet.accounts.none")}</p>
            ) : (
              <ul class="list" aria-label={t("wallet.accounts.linked")}>
                {data.items.map((a) => (
                  <li key={a.bankAccountId}>
                    <AccountRow account={a} onGone={list.reload} />
                  </li>
                ))}
              </ul>
            )
          }
        </Loaded>
      </Section>
      <Section title={t("wallet.accounts.linkTitle")}>
        {banksFailed.value ? <ProblemBox outcome={banksFailed.value} onRetry={loadBanks} /> : null}
        {config.value?.sandbox && banks.value ? (
          <TestAccount
            onOpened={(a) => {
              bank.value = a.bankCode;
              number.value = a.accountNumber;
              errors.value = {};
            }}
          />
        ) : null}
        <Form onSubmit={() => void link()} label={t("wallet.accounts.linkTitle")}>
          <Select
            label={t("wallet.bank.label")}
            value={bank.value}
            onValue={(v) => (bank.value = v)}
            options={bankOptions()}
          />
          {errors.value.bank ? <p class="field-error">{errors.value.bank}</p> : null}
          <Field
            label={t("wallet.accounts.number")}
            inputMode="numeric"
            autoComplete="off"
            hint={t("wallet.accounts.numberHint")}
            error={errors.value.number}
            value={number.value}
            onValue={(v) => (number.value = v)}
          />
          <ProblemBox outcome={outcome.value} />
          {outcome.value?.ok ? (
            <Notice>
              {t("wallet.accounts.linkedNow", {
                account: `${bankName(outcome.value.data.bankCode)} ${outcome.value.data.accountNumber}`,
              })}
            </Notice>
          ) : null}
          <Button type="submit" busy={busy.value}>
            {t("wallet.accounts.link")}
          </Button>
        </Form>
      </Section>
    </Page>
  );
}

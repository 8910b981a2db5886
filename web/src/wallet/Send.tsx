// Send money: to a member found by email or mobile number (shown with a masked name to confirm), or to
// a bank account.
import { useSignal } from "@preact/signals";
import { useId } from "preact/hooks";
import { api, call, type Outcome, type Schemas } from "../api.ts";
import { t, won } from "../i18n/index.ts";
import { useIntent } from "../intent.ts";
import { looksLikePhone } from "../phone.ts";
import { Button, Field, Form, Link, Notice, Page, Problem, Section, Select } from "../ui.tsx";
import { useFollowed } from "./follow.ts";
import { bankName, bankOptions, config, parseAmount, retryFor } from "./shared.tsx";

type Mode = "member" | "bank";
type Found = Schemas["MembershipLookup"];
type Remittance = Schemas["Remittance"];

function ModeRadios(props: { mode: Mode; onMode: (m: Mode) => void }) {
  const id = useId();
  const option = (value: Mode, label: string) => (
    <label class="radio" for={`${id}-${value}`}>
      <input
        type="radio"
        id={`${id}-${value}`}
        name={`${id}-mode`}
        value={value}
        checked={props.mode === value}
        onChange={() => props.onMode(value)}
      />
      {label}
    </label>
  );
  return (
    <fieldset class="radios">
      <legend>{t("wallet.send.to")}</legend>
      {option("member", t("wallet.send.toMember"))}
      {option("bank", t("wallet.send.toBank"))}
    </fieldset>
  );
}

function SendResult(props: { remittance: Remittance; to: string }) {
  const r = props.remittance;
  const amount = won(r.amount);
  const text =
    r.status === "PENDING"
      ? t("wallet.send.pending", { amount, to: props.to })
      : r.status === "SUCCEEDED"
        ? t("wallet.send.succeeded", { amount, to: props.to })
        : t("wallet.send.failed", { amount, to: props.to });
  return (
    <div class="card stack result">
      <Notice tone={r.status === "SUCCEEDED" ? "ok" : r.status === "PENDING" ? "info" : "warn"}>
        {text}
      </Notice>
      {r.fee > 0 ? <p>{t("wallet.send.feeTaken", { fee: won(r.fee) })}</p> : null}
      {r.autoRecharged ? <p>{t("wallet.autoRecharged")}</p> : null}
      <p class="row">
        <Link href="/">{t("wallet.backHome")}</Link>
        <Link href={`/history/remittances/${encodeURIComponent(r.remittanceId)}`}>
          {t("wallet.seeDetail")}
        </Link>
      </p>
    </div>
  );
}

export function Send() {
  const mode = useSignal<Mode>("member");
  const who = useSignal("");
  const found = useSignal<Found | undefined>(undefined);
  const lookup = useSignal<Outcome<unknown> | undefined>(undefined);
  const finding = useSignal(false);
  const bank = useSignal("");
  const number = useSignal("");
  const amount = useSignal("");
  const memo = useSignal("");
  const errors = useSignal<{ who?: string; bank?: string; number?: string; amount?: string }>({});
  const outcome = useSignal<Outcome<unknown> | undefined>(undefined);
  const sentTo = useSignal("");
  const intent = useIntent();
  const result = useFollowed<Remittance>((r) =>
    call(api.GET("/v1/remittances/{id}", { params: { path: { id: r.remittanceId } } })),
  );

  const find = async () => {
    const typed = who.value.trim();
    const query = typed.includes("@")
      ? { email: typed }
      : looksLikePhone(typed)
        ? { phone: typed }
        : undefined;
    found.value = undefined;
    lookup.value = undefined;
    errors.value = { ...errors.value, who: query ? undefined : t("wallet.send.whoInvalid") };
    if (!query || finding.value) return;
    finding.value = true;
    const o = await call(api.GET("/v1/memberships/lookup", { params: { query } }));
    finding.value = false;
    if (o.ok) found.value = o.data;
    else lookup.value = o;
  };

  const submit = async () => {
    if (mode.value === "member" && !found.value) {
      await find();
      return;
    }
    const value = parseAmount(amount.value);
    const accountNumber = number.value.replace(/[\s-]/g, "");
    errors.value = {
      amount: value === undefined || value <= 0 ? t("wallet.amountInvalid") : undefined,
      ...(mode.value === "bank"
        ? {
            bank: bank.value ? undefined : t("wallet.bank.chooseFirst"),
            number: /^\d{4,30}$/.test(accountNumber) ? undefined : t("wallet.accounts.numberInvalid"),
          }
        : {}),
    };
    if (Object.values(errors.value).some(Boolean) || value === undefined) return;
    const to =
      mode.value === "member" && found.value
        ? { membershipId: found.value.membershipId }
        : { bankCode: bank.value, accountNumber };
    const note = memo.value.trim();
    const body = note ? { to, amount: value, memo: note } : { to, amount: value };
    const o = await intent.send(body, (key) =>
      call(api.POST("/v1/remittances", { body, params: { header: { "idempotency-key": key } } })),
    );
    if (!o) return;
    outcome.value = o;
    if (o.ok) {
      sentTo.value =
        "membershipId" in to ? (found.value?.maskedName ?? "") : `${bankName(bank.value)} ${accountNumber}`;
      result.show(o.data);
      amount.value = "";
      memo.value = "";
    }
  };

  const notFound = lookup.value && !lookup.value.ok && lookup.value.status === 404;
  const fee = config.value?.remittanceFee;
  return (
    <Page title={t("wallet.send.title")}>
      {result.value ? <SendResult remittance={result.value} to={sentTo.value} /> : null}
      <Section title={t("wallet.send.how")}>
        <Form onSubmit={() => void submit()} label={t("wallet.send.title")}>
          <ModeRadios mode={mode.value} onMode={(m) => (mode.value = m)} />
          {mode.value === "member" ? (
            <div class="stack">
              <div class="row find-row">
                <Field
                  label={t("wallet.send.who")}
                  autoComplete="off"
                  hint={t("wallet.send.whoHint")}
                  error={errors.value.who}
                  value={who.value}
                  onValue={(v) => {
                    who.value = v;
                    found.value = undefined;
                    lookup.value = undefined;
                  }}
                />
                <Button kind="plain" busy={finding.value} onClick={() => void find()}>
                  {t("wallet.find")}
                </Button>
              </div>
              {found.value ? (
                <Notice tone="info">{t("wallet.send.confirm", { name: found.value.maskedName })}</Notice>
              ) : null}
              {notFound ? (
                <p class="problem" role="alert">
                  {t("wallet.send.noMember")}
                </p>
              ) : (
                <Problem outcome={lookup.value} />
              )}
            </div>
          ) : (
            <div class="stack">
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
                error={errors.value.number}
                value={number.value}
                onValue={(v) => (number.value = v)}
              />
              {fee !== undefined ? <p class="muted">{t("wallet.send.fee", { fee: won(fee) })}</p> : null}
            </div>
          )}
          <Field
            label={t("wallet.amount")}
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            error={errors.value.amount}
            value={amount.value}
            onValue={(v) => (amount.value = v)}
          />
          <Field
            label={t("wallet.send.memo")}
            maxLength={100}
            hint={t("wallet.optional")}
            value={memo.value}
            onValue={(v) => (memo.value = v)}
          />
          <Problem outcome={outcome.value} onRetry={retryFor(outcome.value, () => void submit())} />
          <Button type="submit" busy={intent.busy}>
            {t("wallet.send.button")}
          </Button>
        </Form>
      </Section>
    </Page>
  );
}

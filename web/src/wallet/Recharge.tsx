// Recharge (10,000-won steps, from a linked account) and withdraw (back to it). A PENDING answer is
// shown as in progress and followed until the bank's outcome is known.
import { useSignal } from "@preact/signals";
import { api, call, type Outcome, type Schemas } from "../api.ts";
import { t, won } from "../i18n/index.ts";
import { useIntent } from "../intent.ts";
import {
  Button,
  Field,
  Form,
  Link,
  Loaded,
  Notice,
  Page,
  Problem,
  Section,
  Select,
  useLoad,
} from "../ui.tsx";
import { useFollowed } from "./follow.ts";
import { bankName, parseAmount, retryFor } from "./shared.tsx";

type Move = { amount: number; status: "PENDING" | "SUCCEEDED" | "FAILED"; balance: number | null };

/** The answer of a recharge or withdrawal; its text changes in place, so it is announced. */
export function MoveResult(props: { kind: "recharge" | "withdraw"; move: Move; detail: string }) {
  const { move } = props;
  const amount = won(move.amount);
  const balance = won(move.balance ?? 0);
  const recharge = props.kind === "recharge";
  const text =
    move.status === "PENDING"
      ? recharge
        ? t("wallet.recharge.pending", { amount })
        : t("wallet.withdraw.pending", { amount })
      : move.status === "SUCCEEDED"
        ? recharge
          ? t("wallet.recharge.succeeded", { amount, balance })
          : t("wallet.withdraw.succeeded", { amount, balance })
        : recharge
          ? t("wallet.recharge.failed", { amount })
          : t("wallet.withdraw.failed", { amount });
  return (
    <div class="card stack result">
      <Notice tone={move.status === "SUCCEEDED" ? "ok" : move.status === "PENDING" ? "info" : "warn"}>
        {text}
      </Notice>
      <p class="row">
        <Link href="/">{t("wallet.backHome")}</Link>
        <Link href={props.detail}>{t("wallet.seeDetail")}</Link>
      </p>
    </div>
  );
}

function useAccounts() {
  return useLoad(() => call(api.GET("/v1/bank-accounts")));
}

const steps = [10_000, 50_000, 100_000];

export function Recharge() {
  const amount = useSignal("");
  const account = useSignal("");
  const error = useSignal<string | undefined>(undefined);
  const outcome = useSignal<Outcome<unknown> | undefined>(undefined);
  const accounts = useAccounts();
  const intent = useIntent();
  const result = useFollowed<Schemas["Recharge"]>((r) =>
    call(api.GET("/v1/money/recharges/{id}", { params: { path: { id: r.rechargeId } } })),
  );
  const submit = async () => {
    const value = parseAmount(amount.value);
    error.value =
      value === undefined || value <= 0 || value % 10_000 !== 0 ? t("wallet.recharge.unit") : undefined;
    if (error.value || value === undefined) return;
    const body = account.value ? { amount: value, bankAccountId: account.value } : { amount: value };
    const o = await intent.send(body, (key) =>
      call(api.POST("/v1/money/recharge", { body, params: { header: { "idempotency-key": key } } })),
    );
    if (!o) return;
    outcome.value = o;
    if (o.ok) {
      result.show(o.data);
      amount.value = "";
    }
  };
  return (
    <Page title={t("wallet.recharge.title")}>
      {result.value ? (
        <MoveResult
          kind="recharge"
          move={result.value}
          detail={`/history/recharges/${encodeURIComponent(result.value.rechargeId)}`}
        />
      ) : null}
      <Section title={t("wallet.recharge.how")}>
        <Form onSubmit={() => void submit()} label={t("wallet.recharge.title")}>
          <fieldset class="chips plain-set">
            <legend class="visually-hidden">{t("wallet.recharge.quick")}</legend>
            {steps.map((step) => (
              <Button
                key={step}
                kind="plain"
                class="btn-small"
                onClick={() => {
                  amount.value = String((parseAmount(amount.value) ?? 0) + step);
                  error.value = undefined;
                }}
              >
                {`+${won(step)}`}
              </Button>
            ))}
          </fieldset>
          <Field
            label={t("wallet.amount")}
            type="number"
            inputMode="numeric"
            min={10_000}
            step={10_000}
            hint={t("wallet.recharge.hint")}
            error={error.value}
            value={amount.value}
            onValue={(v) => (amount.value = v)}
          />
          <Loaded load={accounts}>
            {(a) => {
              const linked = a.items.filter((x) => x.status === "LINKED");
              if (linked.length === 0)
                return (
                  <Notice tone="warn">
                    {t("wallet.home.noAccount")} <Link href="/accounts">{t("wallet.home.linkOne")}</Link>
                  </Notice>
                );
              return (
                <Select
                  label={t("wallet.recharge.from")}
                  value={account.value}
                  onValue={(v) => (account.value = v)}
                  options={[
                    { value: "", label: t("wallet.recharge.newest") },
                    ...linked.map((x) => ({
                      value: x.bankAccountId,
                      label: `${bankName(x.bankCode)} ${x.accountNumber}`,
                    })),
                  ]}
                />
              );
            }}
          </Loaded>
          <Problem outcome={outcome.value} onRetry={retryFor(outcome.value, () => void submit())} />
          <Button type="submit" busy={intent.busy}>
            {t("wallet.recharge.button")}
          </Button>
        </Form>
      </Section>
    </Page>
  );
}

export function Withdraw() {
  const amount = useSignal("");
  const error = useSignal<string | undefined>(undefined);
  const outcome = useSignal<Outcome<unknown> | undefined>(undefined);
  const money = useLoad(() => call(api.GET("/v1/money/me")));
  const intent = useIntent();
  const result = useFollowed<Schemas["Withdrawal"]>((w) =>
    call(api.GET("/v1/money/withdrawals/{id}", { params: { path: { id: w.withdrawalId } } })),
  );
  const balance = money.outcome?.ok ? money.outcome.data.balance : undefined;
  const submit = async () => {
    const value = parseAmount(amount.value);
    error.value =
      value === undefined || value <= 0
        ? t("wallet.amountInvalid")
        : balance !== undefined && value > balance
          ? t("wallet.withdraw.tooMuch", { balance: won(balance) })
          : undefined;
    if (error.value || value === undefined) return;
    const body = { amount: value };
    const o = await intent.send(body, (key) =>
      call(api.POST("/v1/money/withdraw", { body, params: { header: { "idempotency-key": key } } })),
    );
    if (!o) return;
    outcome.value = o;
    if (o.ok) {
      result.show(o.data);
      amount.value = "";
      money.reload();
    }
  };
  return (
    <Page title={t("wallet.withdraw.title")}>
      {result.value ? (
        <MoveResult
          kind="withdraw"
          move={result.value}
          detail={`/history/withdrawals/${encodeURIComponent(result.value.withdrawalId)}`}
        />
      ) : null}
      <Section title={t("wallet.withdraw.how")}>
        <Loaded load={money}>
          {(m) => <p>{t("wallet.withdraw.available", { balance: won(m.balance) })}</p>}
        </Loaded>
        <Form onSubmit={() => void submit()} label={t("wallet.withdraw.title")}>
          <Field
            label={t("wallet.amount")}
            type="number"
            inputMode="numeric"
            min={1}
            max={balance}
            step={1}
            error={error.value}
            value={amount.value}
            onValue={(v) => (amount.value = v)}
          />
          <Problem outcome={outcome.value} onRetry={retryFor(outcome.value, () => void submit())} />
          <Button type="submit" busy={intent.busy}>
            {t("wallet.withdraw.button")}
          </Button>
        </Form>
      </Section>
    </Page>
  );
}

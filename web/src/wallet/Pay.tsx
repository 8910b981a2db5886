// Pay a franchise: by its code (typed, from the QR code's ?franchise=, or scanned), with points if wanted.
// A retry after a network error sends the very same request again, so the payment is made once.
import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { api, call, type Outcome, type Schemas } from "../api.ts";
import { regionName, t, won } from "../i18n/index.ts";
import { useIntent } from "../intent.ts";
import { queryParam } from "../router.ts";
import { Button, Field, Form, Link, Loaded, Notice, Page, Problem, Section, useLoad } from "../ui.tsx";
import { canScan, franchiseFromCode, Scanner } from "./Scanner.tsx";
import { parseAmount, retryFor } from "./shared.tsx";

type Franchise = Schemas["Franchise"];
type Payment = Schemas["Payment"];
type PayBody = { franchiseId: string; amount: number; usePoints?: number };

function Paid(props: { payment: Payment; name: string }) {
  const p = props.payment;
  return (
    <div class="card stack result">
      <Notice>{t("wallet.pay.paid", { amount: won(p.amount), name: props.name })}</Notice>
      <dl class="facts">
        <dt>{t("wallet.pay.withMoney")}</dt>
        <dd>{won(p.paidWithMoney)}</dd>
        <dt>{t("wallet.pay.withPoints")}</dt>
        <dd>{t("wallet.points.value", { points: p.paidWithPoints })}</dd>
        <dt>{t("wallet.pay.earned")}</dt>
        <dd>{t("wallet.points.value", { points: p.pointsEarned })}</dd>
      </dl>
      {p.autoRecharged ? <p>{t("wallet.autoRecharged")}</p> : null}
      <p class="row">
        <Link href={`/history/payments/${encodeURIComponent(p.paymentId)}`}>
          {t("wallet.pay.seePayment")}
        </Link>
        <Link href="/">{t("wallet.backHome")}</Link>
      </p>
    </div>
  );
}

export function Pay() {
  const code = useSignal(queryParam("franchise") ?? "");
  const franchise = useSignal<Franchise | undefined>(undefined);
  const lookup = useSignal<Outcome<unknown> | undefined>(undefined);
  const finding = useSignal(false);
  const scanning = useSignal(false);
  const amount = useSignal("");
  const points = useSignal("");
  const errors = useSignal<{ code?: string; amount?: string; points?: string }>({});
  const outcome = useSignal<Outcome<unknown> | undefined>(undefined);
  const paid = useSignal<{ payment: Payment; name: string } | undefined>(undefined);
  const last = useRef<PayBody | undefined>(undefined);
  const money = useLoad(() => call(api.GET("/v1/money/me")));
  const intent = useIntent();

  const find = async (text = code.value) => {
    const id = franchiseFromCode(text) ?? text.trim();
    code.value = id;
    franchise.value = undefined;
    lookup.value = undefined;
    errors.value = { ...errors.value, code: /^fra_\S+$/.test(id) ? undefined : t("wallet.pay.codeInvalid") };
    if (errors.value.code || finding.value) return;
    finding.value = true;
    const o = await call(api.GET("/v1/franchises/{id}", { params: { path: { id } } }));
    finding.value = false;
    if (o.ok) franchise.value = o.data;
    else lookup.value = o;
  };

  useEffect(() => {
    if (code.value) void find();
  }, []);

  const available = money.outcome?.ok ? money.outcome.data.points : 0;
  const send = async (body: PayBody) => {
    last.current = body;
    const o = await intent.send(body, (key) =>
      call(api.POST("/v1/payments", { body, params: { header: { "idempotency-key": key } } })),
    );
    if (!o) return;
    outcome.value = o;
    if (o.ok) {
      paid.value = { payment: o.data, name: franchise.value?.name ?? body.franchiseId };
      amount.value = "";
      points.value = "";
      money.reload();
    }
  };

  const submit = async () => {
    if (!franchise.value || franchise.value.franchiseId !== code.value.trim()) {
      await find();
      return;
    }
    const value = parseAmount(amount.value);
    const use = points.value.trim() === "" ? 0 : parseAmount(points.value);
    const most = Math.min(available, value ?? 0);
    errors.value = {
      amount: value === undefined || value <= 0 ? t("wallet.amountInvalid") : undefined,
      points: use === undefined || use > most ? t("wallet.pay.pointsTooMany", { points: most }) : undefined,
    };
    if (errors.value.amount || errors.value.points || value === undefined) return;
    const body: PayBody = use
      ? { franchiseId: franchise.value.franchiseId, amount: value, usePoints: use }
      : { franchiseId: franchise.value.franchiseId, amount: value };
    await send(body);
  };

  const again = () => {
    if (last.current) void send(last.current);
  };

  return (
    <Page title={t("wallet.pay.title")}>
      {paid.value ? <Paid payment={paid.value.payment} name={paid.value.name} /> : null}
      <Section title={t("wallet.pay.how")}>
        <Form onSubmit={() => void submit()} label={t("wallet.pay.title")}>
          <div class="row find-row">
            <Field
              label={t("wallet.pay.code")}
              autoComplete="off"
              placeholder="fra_…"
              hint={t("wallet.pay.codeHint")}
              error={errors.value.code}
              value={code.value}
              onValue={(v) => {
                code.value = v;
                franchise.value = undefined;
                lookup.value = undefined;
              }}
            />
            <Button kind="plain" busy={finding.value} onClick={() => void find()}>
              {t("wallet.find")}
            </Button>
            {canScan() && !scanning.value ? (
              <Button kind="plain" onClick={() => (scanning.value = true)}>
                {t("wallet.pay.scan")}
              </Button>
            ) : null}
          </div>
          {scanning.value ? (
            <Scanner
              onCode={(id) => {
                scanning.value = false;
                void find(id);
              }}
              onStop={() => (scanning.value = false)}
            />
          ) : null}
          {franchise.value ? (
            <Notice tone="info">
              {t("wallet.pay.confirm", {
                name: franchise.value.name,
                region: regionName(franchise.value.region),
              })}
            </Notice>
          ) : null}
          {lookup.value && !lookup.value.ok && lookup.value.status === 404 ? (
            <p class="problem" role="alert">
              {t("wallet.pay.noFranchise")}
            </p>
          ) : (
            <Problem outcome={lookup.value} onRetry={retryFor(lookup.value, () => void find())} />
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
          <Loaded load={money}>
            {(m) => (
              <Field
                label={t("wallet.pay.usePoints")}
                type="number"
                inputMode="numeric"
                min={0}
                max={Math.min(m.points, parseAmount(amount.value) ?? m.points)}
                step={1}
                hint={t("wallet.pay.pointsHint", { points: m.points, balance: won(m.balance) })}
                error={errors.value.points}
                value={points.value}
                onValue={(v) => (points.value = v)}
              />
            )}
          </Loaded>
          <Problem outcome={outcome.value} onRetry={retryFor(outcome.value, again)} />
          <Button type="submit" busy={intent.busy}>
            {t("wallet.pay.button")}
          </Button>
        </Form>
      </Section>
    </Page>
  );
}

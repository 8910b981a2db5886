// The trial balance, and the reconciliation of the corporate account with the ledger.
import { api, call, type Schemas } from "../api.ts";
import { num, t } from "../i18n/index.ts";
import { Loaded, Money, Section, Table, useLoad } from "../ui.tsx";

function TrialBalanceTable(props: { trial: Schemas["TrialBalance"] }) {
  const { accounts, totalDebit, totalCredit } = props.trial;
  const balanced = totalDebit === totalCredit;
  return (
    <div class="stack">
      <p class={`verdict ${balanced ? "verdict-ok" : "verdict-bad"}`}>
        {balanced ? t("admin.trial.balanced") : t("admin.trial.unbalanced")}
      </p>
      <Table caption={t("admin.trial.title")}>
        <thead>
          <tr>
            <th scope="col">{t("admin.trial.account")}</th>
            <th scope="col" class="num">
              {t("admin.trial.debit")}
            </th>
            <th scope="col" class="num">
              {t("admin.trial.credit")}
            </th>
            <th scope="col" class="num">
              {t("admin.trial.balance")}
            </th>
          </tr>
        </thead>
        <tbody>
          {accounts.map((a) => (
            <tr key={`${a.account}:${a.currency}`}>
              <th scope="row" class="id">
                {a.account}
                {a.currency !== "KRW" ? <span class="muted"> ({a.currency})</span> : null}
              </th>
              <td class="num">{num(a.debit)}</td>
              <td class="num">{num(a.credit)}</td>
              <td class="num">{num(a.balance)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t("admin.total")}</th>
            <td class="num">{num(totalDebit)}</td>
            <td class="num">{num(totalCredit)}</td>
            <td />
          </tr>
        </tfoot>
      </Table>
    </div>
  );
}

export function TrialBalance() {
  const trial = useLoad(() => call(api.GET("/v1/admin/ledger/trial-balance")));
  return (
    <Section title={t("admin.trial.title")}>
      <Loaded load={trial}>{(data) => <TrialBalanceTable trial={data} />}</Loaded>
    </Section>
  );
}

function ReconciliationFacts(props: { rec: Schemas["Reconciliation"] }) {
  const r = props.rec;
  return (
    <div class="stack">
      <p class={`verdict ${r.ok ? "verdict-ok" : "verdict-bad"}`}>
        {r.ok ? t("admin.rec.ok") : t("admin.rec.notOk")}
      </p>
      <p class={`verdict ${r.safeguarded ? "verdict-ok" : "verdict-bad"}`}>
        {r.safeguarded ? t("admin.rec.safeguarded") : t("admin.rec.notSafeguarded")}
      </p>
      <dl class="facts">
        <dt>{t("admin.rec.bank")}</dt>
        <dd>
          <Money amount={r.bankBalance} />
        </dd>
        <dt>{t("admin.rec.ledger")}</dt>
        <dd>
          <Money amount={r.ledgerBalance} />
        </dd>
        <dt>{t("admin.rec.difference")}</dt>
        <dd>
          <Money amount={r.difference} />
        </dd>
        <dt>{t("admin.rec.inFlight")}</dt>
        <dd>{num(r.inFlight)}</dd>
        <dt>{t("admin.rec.customerFunds")}</dt>
        <dd>
          <Money amount={r.customerFunds} />
        </dd>
      </dl>
    </div>
  );
}

export function Reconciliation() {
  const rec = useLoad(() => call(api.GET("/v1/admin/reconciliation")));
  return (
    <Section title={t("admin.rec.title")}>
      <Loaded load={rec}>{(data) => <ReconciliationFacts rec={data} />}</Loaded>
    </Section>
  );
}

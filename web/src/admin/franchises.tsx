// Every franchise, and one franchise's facts with its commission: changed here, audited below.
import { api, call, type Schemas } from "../api.ts";
import { percent, regionName, t } from "../i18n/index.ts";
import { InfiniteList, Link, Loaded, Page, Section, Status, useLoad, When } from "../ui.tsx";
import { CommissionForm, CommissionHistory } from "./commission.tsx";

export function FranchisesPage() {
  return (
    <Page title={t("admin.franchises.title")}>
      <div class="card">
        <InfiniteList
          label={t("admin.franchises.title")}
          load={(cursor) => call(api.GET("/v1/franchises", { params: { query: { cursor, limit: 20 } } }))}
          itemKey={(f) => f.franchiseId}
          render={(f) => (
            <Link href={`/admin/franchises/${encodeURIComponent(f.franchiseId)}`} class="item">
              <span class="what">
                <strong>{f.name}</strong>
                <span class="sub">
                  {regionName(f.region)} · {f.franchiseId}
                </span>
              </span>
              <span class="what end">
                <span>{percent(f.commissionBps)}</span>
                <Status status={f.status} />
              </span>
            </Link>
          )}
        />
      </div>
    </Page>
  );
}

function Facts(props: { franchise: Schemas["Franchise"] }) {
  const f = props.franchise;
  const account = f.settlementAccount;
  return (
    <Section title={t("admin.franchise.facts")}>
      <dl class="facts">
        <dt>{t("admin.franchise.code")}</dt>
        <dd>{f.franchiseId}</dd>
        <dt>{t("admin.franchise.owner")}</dt>
        <dd>
          <Link href={`/admin/members/${encodeURIComponent(f.ownerId)}`}>{f.ownerId}</Link>
        </dd>
        <dt>{t("admin.franchise.businessNumber")}</dt>
        <dd>{f.businessNumber}</dd>
        <dt>{t("auth.region")}</dt>
        <dd>{regionName(f.region)}</dd>
        <dt>{t("admin.franchise.commission")}</dt>
        <dd>
          {percent(f.commissionBps)} ({t("admin.franchise.bps", { bps: f.commissionBps })})
        </dd>
        <dt>{t("admin.franchise.account")}</dt>
        <dd>{account ? `${account.bankCode} ${account.accountNumber} (${account.holderName})` : "—"}</dd>
        <dt>{t("admin.franchise.status")}</dt>
        <dd>
          <Status status={f.status} />
        </dd>
        <dt>{t("admin.franchise.registered")}</dt>
        <dd>
          <When at={f.createdAt} />
        </dd>
      </dl>
    </Section>
  );
}

export function FranchisePage(props: { id: string }) {
  const id = props.id;
  const franchise = useLoad(() => call(api.GET("/v1/franchises/{id}", { params: { path: { id } } })), [id]);
  const history = useLoad(
    () =>
      call(
        api.GET("/v1/admin/franchises/{id}/commission-history", {
          params: { path: { id }, query: { limit: 100 } },
        }),
      ),
    [id],
  );
  const loaded = franchise.outcome?.ok ? franchise.outcome.data : undefined;
  return (
    <Page
      title={loaded?.name ?? t("admin.franchise.title")}
      actions={
        <Link href="/admin/franchises" class="btn btn-plain">
          {t("admin.franchise.back")}
        </Link>
      }
    >
      <Loaded load={franchise}>
        {(f) => (
          <>
            <div class="grid">
              <Facts franchise={f} />
              <CommissionForm
                franchise={f}
                onChanged={(next) => {
                  franchise.set(next);
                  history.reload();
                }}
              />
            </div>
            <CommissionHistory load={history} />
          </>
        )}
      </Loaded>
    </Page>
  );
}

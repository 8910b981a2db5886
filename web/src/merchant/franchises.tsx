// The merchant's franchises, newest first, each with its commission and status.
import { api, call } from "../api.ts";
import { percent, regionName, t } from "../i18n/index.ts";
import { InfiniteList, Link, Page, Status } from "../ui.tsx";

export function FranchisesPage() {
  return (
    <Page
      title={t("merchant.list.title")}
      actions={
        <Link href="/merchant/new" class="btn btn-primary">
          {t("merchant.list.register")}
        </Link>
      }
    >
      <div class="card">
        <InfiniteList
          label={t("merchant.list.title")}
          load={(cursor) => call(api.GET("/v1/franchises", { params: { query: { cursor, limit: 20 } } }))}
          itemKey={(f) => f.franchiseId}
          render={(f) => (
            <Link href={`/merchant/franchises/${encodeURIComponent(f.franchiseId)}`} class="item">
              <span class="what">
                <strong>{f.name}</strong>
                <span class="sub">
                  {regionName(f.region)} · {f.franchiseId}
                </span>
              </span>
              <span class="what end">
                <span>{t("merchant.list.commission", { rate: percent(f.commissionBps) })}</span>
                <Status status={f.status} />
              </span>
            </Link>
          )}
        />
      </div>
    </Page>
  );
}

// The dashboard: money by region, the books, what needs a person, and the last settlement runs.
import { useSignal } from "@preact/signals";
import { t } from "../i18n/index.ts";
import { Button, Page } from "../ui.tsx";
import { Reconciliation, TrialBalance } from "./books.tsx";
import { MoneyByRegion } from "./money-chart.tsx";
import { DeadLetters, StuckSagas } from "./operations.tsx";
import { RecentRuns } from "./runs.tsx";

export function DashboardPage() {
  // Bumping the key mounts every section again, so each one loads afresh.
  const generation = useSignal(0);
  return (
    <Page
      title={t("admin.dash.title")}
      actions={
        <Button
          kind="plain"
          onClick={() => {
            generation.value++;
          }}
        >
          {t("app.refresh")}
        </Button>
      }
    >
      <div class="dashboard" key={generation.value}>
        <div class="grid">
          <Reconciliation />
          <MoneyByRegion />
        </div>
        <TrialBalance />
        <div class="grid">
          <StuckSagas />
          <DeadLetters />
        </div>
        <RecentRuns title={t("admin.dash.runs")} limit={5} />
      </div>
    </Page>
  );
}

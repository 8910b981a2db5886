// One franchise: its facts, the QR code customers scan to pay it (printable), its payments and its
// settlements with their payouts.
import { renderSVG } from "uqr";
import { api, call, type Schemas } from "../api.ts";
import { percent, regionName, t } from "../i18n/index.ts";
import { Button, Loaded, Page, Section, Status, useLoad, When } from "../ui.tsx";
import { FranchisePayments } from "./payments.tsx";
import { FranchiseSettlements } from "./settlements.tsx";

type Franchise = Schemas["Franchise"];

function Facts(props: { franchise: Franchise; banks: Schemas["Bank"][] }) {
  const f = props.franchise;
  const account = f.settlementAccount;
  const bank = account ? props.banks.find((b) => b.bankCode === account.bankCode) : undefined;
  return (
    <Section title={t("merchant.franchise.facts")}>
      <dl class="facts">
        <dt>{t("merchant.franchise.code")}</dt>
        <dd>
          <code>{f.franchiseId}</code>
        </dd>
        <dt>{t("merchant.franchise.businessNumber")}</dt>
        <dd>{f.businessNumber}</dd>
        <dt>{t("auth.region")}</dt>
        <dd>{regionName(f.region)}</dd>
        <dt>{t("merchant.franchise.commission")}</dt>
        <dd>{percent(f.commissionBps)}</dd>
        <dt>{t("merchant.franchise.account")}</dt>
        <dd>
          {account
            ? t("merchant.franchise.accountText", {
                bank: bank?.name ?? account.bankCode,
                number: account.accountNumber,
                holder: account.holderName,
              })
            : "—"}
        </dd>
        <dt>{t("merchant.franchise.status")}</dt>
        <dd>
          <Status status={f.status} />
        </dd>
        <dt>{t("merchant.franchise.registered")}</dt>
        <dd>
          <When at={f.createdAt} />
        </dd>
      </dl>
    </Section>
  );
}

function QrCode(props: { franchise: Franchise }) {
  const f = props.franchise;
  const url = `${location.origin}/pay?franchise=${encodeURIComponent(f.franchiseId)}`;
  return (
    <Section title={t("merchant.franchise.qr")}>
      <div class="qr-block">
        <div
          class="qr"
          role="img"
          aria-label={t("merchant.franchise.qrLabel", { name: f.name })}
          // uqr writes plain SVG paths (no script, no style attribute), from our own URL only.
          dangerouslySetInnerHTML={{ __html: renderSVG(url, { border: 2 }) }}
        />
        <div class="stack">
          <p class="franchise-code">
            {t("merchant.franchise.codeText")} <strong>{f.franchiseId}</strong>
          </p>
          <p class="muted">{t("merchant.franchise.qrHint")}</p>
          <p class="muted qr-url">{url}</p>
          <div class="no-print">
            <Button kind="plain" onClick={() => window.print()}>
              {t("merchant.franchise.print")}
            </Button>
          </div>
        </div>
      </div>
    </Section>
  );
}

export function FranchisePage(props: { id: string }) {
  const franchise = useLoad(
    () => call(api.GET("/v1/franchises/{id}", { params: { path: { id: props.id } } })),
    [props.id],
  );
  const banks = useLoad(() => call(api.GET("/v1/banks")));
  const loaded = franchise.outcome?.ok ? franchise.outcome.data : undefined;
  const bankList = banks.outcome?.ok ? banks.outcome.data.items : [];
  return (
    <Page title={loaded?.name ?? t("merchant.franchise.title")}>
      <Loaded load={franchise}>
        {(f) => (
          <>
            <div class="grid">
              <QrCode franchise={f} />
              <Facts franchise={f} banks={bankList} />
            </div>
            <div class="no-print stack-lg">
              <FranchisePayments franchiseId={f.franchiseId} />
              <FranchiseSettlements franchiseId={f.franchiseId} />
            </div>
          </>
        )}
      </Loaded>
    </Page>
  );
}

// The member wallet: every path that is not /merchant… or /admin…. Signed out, it is the log-in and
// sign-up pages; a member of another role is told so; a member sees the page the path names.
import { signal } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { type Role, session } from "../api.ts";
import { LoginForm, SignupForm, WrongRole } from "../auth.tsx";
import { addMessages, t } from "../i18n/index.ts";
import { walletMessages } from "../i18n/wallet.ts";
import { match, navigate, pathOf, route } from "../router.ts";
import { Header, Link, Page } from "../ui.tsx";
import { Accounts } from "./Accounts.tsx";
import { EntryDetail, RechargeDetail, WithdrawalDetail } from "./EntryDetail.tsx";
import { History } from "./History.tsx";
import { Home } from "./Home.tsx";
import { Pay } from "./Pay.tsx";
import { PaymentDetail } from "./PaymentDetail.tsx";
import { Profile } from "./Profile.tsx";
import { Recharge, Withdraw } from "./Recharge.tsx";
import { RemittanceDetail } from "./RemittanceDetail.tsx";
import { Send } from "./Send.tsx";
import { loadBanks, loadConfig } from "./shared.tsx";
import "./wallet.css";

addMessages(walletMessages);

/** The role the wallet is for. */
const walletRole: Role = "customer";

/** The name of who just signed up, for the welcome on the log-in page. */
const welcomed = signal<string | undefined>(undefined);

function SignedOut(props: { path: string }) {
  if (props.path === "/signup")
    return (
      <SignupForm
        title={t("auth.signup")}
        type="personal"
        onDone={(name) => {
          welcomed.value = name;
          navigate("/");
        }}
        footer={
          <p>
            {t("auth.haveAccount")} <Link href="/">{t("auth.login")}</Link>
          </p>
        }
      />
    );
  return (
    <LoginForm
      title={t("auth.login")}
      welcome={welcomed.value ? t("auth.welcome", { name: welcomed.value }) : undefined}
      footer={
        <p>
          {t("auth.noAccount")} <Link href="/signup">{t("auth.signup")}</Link>
        </p>
      }
    />
  );
}

const detailRoutes: Array<[string, (id: string) => JSX.Element]> = [
  ["/history/payments/:id", (id) => <PaymentDetail id={id} />],
  ["/history/remittances/:id", (id) => <RemittanceDetail id={id} />],
  ["/history/recharges/:id", (id) => <RechargeDetail id={id} />],
  ["/history/withdrawals/:id", (id) => <WithdrawalDetail id={id} />],
  ["/history/money/:id", (id) => <EntryDetail id={id} />],
];

function SignedIn(props: { path: string }) {
  const path = props.path.replace(/\/+$/, "") || "/";
  switch (path) {
    case "/":
    case "/signup":
      return <Home />;
    case "/accounts":
      return <Accounts />;
    case "/recharge":
      return <Recharge />;
    case "/withdraw":
      return <Withdraw />;
    case "/send":
      return <Send />;
    case "/pay":
      return <Pay />;
    case "/history":
      return <History />;
    case "/profile":
      return <Profile />;
  }
  for (const [pattern, view] of detailRoutes) {
    const params = match(pattern, path);
    if (params?.id) return <div key={path}>{view(params.id)}</div>;
  }
  return (
    <Page title={t("wallet.notFound.title")}>
      <div class="card stack">
        <p>{t("app.notFound")}</p>
        <p>
          <Link href="/">{t("wallet.notFound.home")}</Link>
        </p>
      </div>
    </Page>
  );
}

export function WalletApp() {
  const path = pathOf(route.value);
  const member = session.value;
  useEffect(() => {
    loadConfig();
    if (member) {
      loadBanks();
      welcomed.value = undefined;
    }
  }, [member?.membershipId]);
  useEffect(() => {
    if (member && path === "/signup") navigate("/", { replace: true });
  }, [member?.membershipId, path]);
  const nav = [
    { href: "/", label: t("app.home") },
    { href: "/history", label: t("wallet.nav.history") },
    { href: "/accounts", label: t("wallet.nav.accounts") },
    { href: "/profile", label: t("wallet.nav.profile") },
  ];
  return (
    <>
      <Header area={t("app.wallet")} home="/" nav={member?.role === "customer" ? nav : []} />
      {!member ? (
        <SignedOut path={path} />
      ) : member.role !== "customer" ? (
        <WrongRole role={walletRole} />
      ) : (
        <SignedIn path={path} />
      )}
    </>
  );
}

// The merchant pages (/merchant): a merchant's franchises, registering one with its settlement account,
// and each franchise's QR code, payments and settlements.
import { signal } from "@preact/signals";
import { session } from "../api.ts";
import { LoginForm, SignupForm, WrongRole } from "../auth.tsx";
import { addMessages, t } from "../i18n/index.ts";
import { merchantMessages } from "../i18n/merchant.ts";
import { match, navigate, pathOf, route } from "../router.ts";
import { Header, Link, Page } from "../ui.tsx";
import { FranchisePage } from "./franchise.tsx";
import { FranchisesPage } from "./franchises.tsx";
import { RegisterPage } from "./register.tsx";
import "./merchant.css";

addMessages(merchantMessages);

/** The name of who just signed up, for the login page's welcome. */
const welcomed = signal<string | undefined>(undefined);

function Guest(props: { path: string }) {
  if (props.path === "/merchant/signup")
    return (
      <SignupForm
        title={t("merchant.signup.title")}
        type="merchant"
        onDone={(name) => {
          welcomed.value = name;
          navigate("/merchant");
        }}
        footer={
          <p>
            {t("auth.haveAccount")} <Link href="/merchant">{t("merchant.login.link")}</Link>
          </p>
        }
      />
    );
  return (
    <LoginForm
      title={t("merchant.login.title")}
      welcome={welcomed.value ? t("auth.welcome", { name: welcomed.value }) : undefined}
      footer={
        <p>
          {t("auth.noAccount")} <Link href="/merchant/signup">{t("auth.merchantSignup")}</Link>
        </p>
      }
    />
  );
}

function NotFound() {
  return (
    <Page title={t("app.notFound")}>
      <p>
        <Link href="/merchant">{t("merchant.list.title")}</Link>
      </p>
    </Page>
  );
}

function Pages(props: { path: string }) {
  const { path } = props;
  if (path === "/merchant" || path === "/merchant/" || path === "/merchant/signup") return <FranchisesPage />;
  if (path === "/merchant/new") return <RegisterPage />;
  const franchise = match("/merchant/franchises/:id", path);
  if (franchise?.id) return <FranchisePage id={franchise.id} />;
  return <NotFound />;
}

/** The role these pages are for (a mypay role, passed to WrongRole). */
const needed = "merchant" as const;

export function MerchantApp() {
  const path = pathOf(route.value);
  const current = session.value;
  const nav = [
    { href: "/merchant", label: t("merchant.nav.franchises") },
    { href: "/merchant/new", label: t("merchant.nav.register") },
  ];
  return (
    <>
      <Header area={t("app.merchant")} home="/merchant" nav={current?.role === "merchant" ? nav : []} />
      {!current ? (
        <Guest path={path} />
      ) : current.role !== "merchant" ? (
        <WrongRole role={needed} />
      ) : (
        <Pages path={path} />
      )}
    </>
  );
}

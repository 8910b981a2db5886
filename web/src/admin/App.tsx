// The staff console (/admin): the dashboard, members, franchises and their commission, bank contracts
// and settlement.
import { session } from "../api.ts";
import { LoginForm, WrongRole } from "../auth.tsx";
import { adminMessages } from "../i18n/admin.ts";
import { addMessages, t } from "../i18n/index.ts";
import { match, pathOf, route } from "../router.ts";
import { Header, Link, Page } from "../ui.tsx";
import { BanksPage } from "./banks.tsx";
import { DashboardPage } from "./dashboard.tsx";
import { FranchisePage, FranchisesPage } from "./franchises.tsx";
import { MemberPage, MembersPage } from "./members.tsx";
import { RunPage, SettlementsPage } from "./settlements.tsx";
import "./admin.css";

addMessages(adminMessages);

function NotFound() {
  return (
    <Page title={t("app.notFound")}>
      <p>
        <Link href="/admin">{t("admin.dash.title")}</Link>
      </p>
    </Page>
  );
}

function Pages(props: { path: string }) {
  const path = props.path.replace(/\/+$/, "") || "/admin";
  if (path === "/admin") return <DashboardPage />;
  if (path === "/admin/members") return <MembersPage />;
  if (path === "/admin/franchises") return <FranchisesPage />;
  if (path === "/admin/banks") return <BanksPage />;
  if (path === "/admin/settlements") return <SettlementsPage />;
  const member = match("/admin/members/:id", path);
  if (member?.id) return <MemberPage id={member.id} />;
  const franchise = match("/admin/franchises/:id", path);
  if (franchise?.id) return <FranchisePage id={franchise.id} />;
  const run = match("/admin/settlements/:runId", path);
  if (run?.runId) return <RunPage runId={run.runId} />;
  return <NotFound />;
}

/** The role these pages are for (a mypay role, passed to WrongRole). */
const needed = "staff" as const;

export function AdminApp() {
  const path = pathOf(route.value);
  const current = session.value;
  const nav = [
    { href: "/admin", label: t("admin.nav.dashboard") },
    { href: "/admin/members", label: t("admin.nav.members") },
    { href: "/admin/franchises", label: t("admin.nav.franchises") },
    { href: "/admin/banks", label: t("admin.nav.banks") },
    { href: "/admin/settlements", label: t("admin.nav.settlement") },
  ];
  return (
    <>
      <Header area={t("app.admin")} home="/admin" nav={current?.role === "staff" ? nav : []} />
      {!current ? (
        <LoginForm title={t("admin.login.title")} />
      ) : current.role !== "staff" ? (
        <WrongRole role={needed} />
      ) : (
        <Pages path={path} />
      )}
    </>
  );
}

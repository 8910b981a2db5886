import { session } from "../api.ts";
import { LoginForm } from "../auth.tsx";
import { t } from "../i18n/index.ts";
import { Header } from "../ui.tsx";

export function AdminApp() {
  return (
    <>
      <Header area={t("app.admin")} home="/admin" />
      {session.value ? <p>{session.value.name}</p> : <LoginForm title={t("auth.login")} />}
    </>
  );
}

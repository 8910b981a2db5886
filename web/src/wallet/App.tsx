import { session } from "../api.ts";
import { LoginForm } from "../auth.tsx";
import { t } from "../i18n/index.ts";
import { Header } from "../ui.tsx";

export function WalletApp() {
  return (
    <>
      <Header area={t("app.wallet")} home="/" />
      {session.value ? <p>{session.value.name}</p> : <LoginForm title={t("auth.login")} />}
    </>
  );
}

// The shell: restores the session from the refresh cookie, then shows the area the path names. The
// wallet (/) is in this first bundle; the merchant pages and the staff console load as their own chunks.
import { useSignal } from "@preact/signals";
import type { FunctionComponent } from "preact";
import { render } from "preact";
import { useEffect } from "preact/hooks";
import { restoreSession, session } from "./api.ts";
import { t } from "./i18n/index.ts";
import { pathOf, route } from "./router.ts";
import { Loading } from "./ui.tsx";
import { WalletApp } from "./wallet/App.tsx";
import "./styles.css";

type Area = "wallet" | "merchant" | "admin";
const areaOf = (path: string): Area =>
  path === "/admin" || path.startsWith("/admin/")
    ? "admin"
    : path === "/merchant" || path.startsWith("/merchant/")
      ? "merchant"
      : "wallet";

const loaders: Record<Exclude<Area, "wallet">, () => Promise<FunctionComponent>> = {
  merchant: () => import("./merchant/App.tsx").then((m) => m.MerchantApp),
  admin: () => import("./admin/App.tsx").then((m) => m.AdminApp),
};

function Root() {
  const area = areaOf(pathOf(route.value));
  const loaded = useSignal<{ area: Area; component: FunctionComponent } | undefined>(undefined);
  const failed = useSignal(false);
  useEffect(() => {
    if (area === "wallet") return;
    let alive = true;
    failed.value = false;
    loaders[area]().then(
      (component) => {
        if (alive) loaded.value = { area, component };
      },
      () => {
        if (alive) failed.value = true;
      },
    );
    return () => {
      alive = false;
    };
  }, [area]);

  if (session.value === undefined) return <Loading />;
  if (area === "wallet") return <WalletApp />;
  if (failed.value)
    return (
      <main id="main" class="page">
        <p role="alert">{t("error.network")}</p>
      </main>
    );
  const Component = loaded.value?.area === area ? loaded.value.component : undefined;
  return Component ? <Component /> : <Loading />;
}

const root = document.getElementById("app");
if (root) {
  render(<Root />, root);
  void restoreSession();
}

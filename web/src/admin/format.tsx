// How the console writes the statuses common.ts has no message for, and dates in Korea.
import { hasMessage, t } from "../i18n/index.ts";
import { Status } from "../ui.tsx";

/** Statuses of the console's own things (runs, sagas, dead letters), with literal message keys. */
const extra: Record<string, () => string> = {
  COMPLETED: () => t("admin.status.completed"),
  WAITING: () => t("admin.status.waiting"),
  COMPENSATING: () => t("admin.status.compensating"),
  DEAD_LETTERED: () => t("admin.status.deadLettered"),
  REPLAYING: () => t("admin.status.replaying"),
  HANDLED: () => t("admin.status.handled"),
  CANCELLING: () => t("admin.status.cancelling"),
};

/** A status badge for any status the API may send, in words when we have them. */
export function AnyStatus(props: { status: string | null | undefined }) {
  const status = props.status;
  if (!status) return <span class="muted">—</span>;
  if (hasMessage(`status.${status}`)) return <Status status={status} />;
  const words = extra[status];
  return <span class={`badge badge-${status.toLowerCase()}`}>{words ? words() : status}</span>;
}

/** A date-time as the console's date input writes it (YYYY-MM-DD, in Korea's time zone). */
export function dateInKorea(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul" }).format(date);
}

/** The start of a day in Korea's time zone as an ISO time. */
export const koreanDayStart = (day: string): string => new Date(`${day}T00:00:00+09:00`).toISOString();

// Korean and English: the language is chosen from the browser and can be switched; the choice is kept
// in localStorage (it is not a secret). Each area keeps its messages in a file of its own
// (common.ts, wallet.ts, merchant.ts, admin.ts), each holding the same keys in both languages, which
// src/web.test.ts checks, with every key the code passes to t().
import { effect, signal } from "@preact/signals";
import { common } from "./common.ts";

export type Lang = "ko" | "en";
export const languages: readonly Lang[] = ["ko", "en"];
export type Messages = Record<Lang, Record<string, string>>;

const stored = (): Lang | undefined => {
  try {
    const value = localStorage.getItem("mypay.lang");
    return value === "ko" || value === "en" ? value : undefined;
  } catch {
    return undefined;
  }
};

const fromBrowser = (): Lang => {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "ko") return "ko";
    if (base === "en") return "en";
  }
  return "ko";
};

export const lang = signal<Lang>(stored() ?? fromBrowser());

export function setLang(next: Lang): void {
  lang.value = next;
  try {
    localStorage.setItem("mypay.lang", next);
  } catch {
    // A browser that keeps nothing still switches for this visit.
  }
}

effect(() => {
  document.documentElement.lang = lang.value;
});

const dictionaries: Messages = { ko: { ...common.ko }, en: { ...common.en } };

/** Adds an area's messages (called once by each area's module when it loads). */
export function addMessages(messages: Messages): void {
  Object.assign(dictionaries.ko, messages.ko);
  Object.assign(dictionaries.en, messages.en);
}

/** The message `key` in the current language, with `{name}` placeholders filled from `params`. */
export function t(key: string, params?: Record<string, string | number>): string {
  const text = dictionaries[lang.value][key] ?? dictionaries.en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? value.toLocaleString(lang.value === "ko" ? "ko-KR" : "en-US") : value;
  });
}

/** Whether `key` has a message (for problem codes the server may add later). */
export const hasMessage = (key: string): boolean => key in dictionaries.en;

const wonFormat = new Intl.NumberFormat("ko-KR", { style: "currency", currency: "KRW" });

/** An amount of won as it is written in Korea, in either language: ₩12,000 (and -₩500). */
export const won = (amount: number): string => wonFormat.format(amount);

/** A commission in basis points as a percentage: 200 → "2.00%". */
export const percent = (bps: number): string => `${(bps / 100).toFixed(2)}%`;

/** A region in the current language, or as the server has it when it is not one we know. */
export const regionName = (region: string): string =>
  hasMessage(`region.${region}`) ? t(`region.${region}`) : region;

/** A number with the language's digit grouping (points, counts). */
export const num = (value: number): string => value.toLocaleString(lang.value === "ko" ? "ko-KR" : "en-US");

/** A date and time in the language, in Korea's time zone. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  return new Intl.DateTimeFormat(lang.value === "ko" ? "ko-KR" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "Asia/Seoul",
  }).format(date);
}

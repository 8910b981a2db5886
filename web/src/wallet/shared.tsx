// What the wallet's pages share: the web app's settings, the bank list, amounts typed by the member,
// and the names of the kinds of history entries.
import { signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { api, call, type Outcome, retryable, type Schemas, session } from "../api.ts";
import { t } from "../i18n/index.ts";
import { loadWebConfig, type WebConfig } from "../web-routes.ts";

export type Bank = Schemas["Bank"];
export type MoneyEntry = Schemas["History"]["items"][number];
export type PointsEntry = Schemas["Points"]["history"][number];

/** GET /web/config, asked once per page load. */
export const config = signal<WebConfig | undefined>(undefined);
let configAsked = false;
export function loadConfig(): void {
  if (configAsked) return;
  configAsked = true;
  void loadWebConfig().then((outcome) => {
    if (outcome.ok) config.value = outcome.data;
    else configAsked = false;
  });
}

/** The contracted banks, asked once (and again after a failure). */
export const banks = signal<Bank[] | undefined>(undefined);
export const banksFailed = signal<Outcome<unknown> | undefined>(undefined);
let banksAsked = false;
export function loadBanks(): void {
  if (banksAsked) return;
  banksAsked = true;
  void call(api.GET("/v1/banks")).then((outcome) => {
    if (outcome.ok) {
      banks.value = outcome.data.items;
      banksFailed.value = undefined;
    } else {
      banksAsked = false;
      banksFailed.value = outcome;
    }
  });
}

export const bankName = (code: string): string => banks.value?.find((b) => b.bankCode === code)?.name ?? code;

/** The banks a member may pick: only the ACTIVE ones, after a "choose" entry. */
export const bankOptions = () => [
  { value: "", label: t("wallet.bank.choose") },
  ...(banks.value ?? [])
    .filter((b) => b.status === "ACTIVE")
    .map((b) => ({ value: b.bankCode, label: b.name })),
];

/** A whole number of won typed by the member, or undefined when it is not one. */
export function parseAmount(text: string): number | undefined {
  const clean = text.trim().replace(/[,\s₩]/g, "");
  if (!/^\d+$/.test(clean)) return undefined;
  const value = Number(clean);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A ref that is false once the component is gone, for `follow`'s `alive`. */
export function useAlive() {
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  return alive;
}

export const myId = (): string => session.value?.membershipId ?? "";

export function moneyKind(kind: MoneyEntry["kind"]): string {
  switch (kind) {
    case "RECHARGE":
      return t("wallet.kind.RECHARGE");
    case "WITHDRAW":
      return t("wallet.kind.WITHDRAW");
    case "REMITTANCE_OUT":
      return t("wallet.kind.REMITTANCE_OUT");
    case "REMITTANCE_IN":
      return t("wallet.kind.REMITTANCE_IN");
    case "PAYMENT":
      return t("wallet.kind.PAYMENT");
    case "PAYMENT_CANCEL":
      return t("wallet.kind.PAYMENT_CANCEL");
    case "FEE":
      return t("wallet.kind.FEE");
    default:
      return kind;
  }
}

export function pointsKind(kind: PointsEntry["kind"]): string {
  switch (kind) {
    case "EARNED":
      return t("wallet.points.EARNED");
    case "USED":
      return t("wallet.points.USED");
    case "RETURNED":
      return t("wallet.points.RETURNED");
    case "TAKEN_BACK":
      return t("wallet.points.TAKEN_BACK");
    case "EXPIRED":
      return t("wallet.points.EXPIRED");
    default:
      return kind;
  }
}

/** Where a reference id (pay_…, rem_…, rch_…, wdr_…) is shown, from its prefix. */
export function referencePath(reference: string): string | undefined {
  const id = encodeURIComponent(reference);
  if (reference.startsWith("pay_")) return `/history/payments/${id}`;
  if (reference.startsWith("rem_")) return `/history/remittances/${id}`;
  if (reference.startsWith("rch_")) return `/history/recharges/${id}`;
  if (reference.startsWith("wdr_")) return `/history/withdrawals/${id}`;
  return undefined;
}

/** Money entries seen in lists, so their detail opens without asking again. */
export const seenEntries = new Map<string, MoneyEntry>();

/** Franchise names, asked once each. */
const franchiseNames = new Map<string, Promise<string | undefined>>();
export function franchiseName(id: string): Promise<string | undefined> {
  let known = franchiseNames.get(id);
  if (!known) {
    known = call(api.GET("/v1/franchises/{id}", { params: { path: { id } } })).then((o) => {
      if (o.ok) return o.data.name;
      franchiseNames.delete(id);
      return undefined;
    });
    franchiseNames.set(id, known);
  }
  return known;
}

/** A "try again" only where trying again can help (no definite answer came). */
export const retryFor = (
  outcome: Outcome<unknown> | undefined,
  again: () => void,
): (() => void) | undefined => (outcome && retryable(outcome) ? again : undefined);

import { v7 as uuidv7 } from "uuid";

export const idPrefixes = {
  membership: "mem",
  bankAccount: "bac",
  firmbanking: "fbk",
  recharge: "rch",
  withdrawal: "wdr",
  remittance: "rem",
  franchise: "fra",
  payment: "pay",
  settlement: "stl",
  settlementRun: "str",
  event: "evt",
  ledgerTransaction: "ltx",
  entry: "ent",
  saga: "sag",
  deadLetter: "dlt",
} as const;

export type IdKind = keyof typeof idPrefixes;
export type Id<K extends IdKind> = string & { readonly __id: K };

/** A new id: `<prefix>_<uuidv7 hex>`; lexical order is creation order. */
export function newId<K extends IdKind>(kind: K): Id<K> {
  return `${idPrefixes[kind]}_${uuidv7().replaceAll("-", "")}` as Id<K>;
}

const idPattern = /^[a-z]{3}_[0-9a-f]{32}$/;

/** Parses an id from outside; undefined when it is not an id of that kind. */
export function parseId<K extends IdKind>(kind: K, raw: string): Id<K> | undefined {
  return idPattern.test(raw) && raw.startsWith(`${idPrefixes[kind]}_`) ? (raw as Id<K>) : undefined;
}

import type { ContextName } from "../platform/config.js";

/**
 * Which context answers which public path (the gateway's routing table). A path of `exactOwners`
 * goes to its owner; otherwise the longest matching prefix wins. Staff lists that every context keeps
 * of its own (sagas, dead letters) are asked of each one that keeps them, and merged.
 */
export const routeOwners: ReadonlyArray<readonly [prefix: string, owner: ContextName]> = [
  ["/v1/memberships", "membership"],
  ["/v1/auth", "membership"],
  ["/v1/franchises", "membership"],
  ["/v1/admin/franchises", "membership"],
  ["/v1/banks", "banking"],
  ["/v1/admin/banks", "banking"],
  ["/v1/bank-accounts", "banking"],
  ["/v1/firmbanking", "banking"],
  ["/v1/money", "money"],
  ["/v1/points", "money"],
  ["/v1/admin/ledger", "money"],
  ["/v1/admin/reconciliation", "money"],
  ["/v1/remittances", "remittance"],
  ["/v1/payments", "payment"],
  ["/v1/settlements", "settlement"],
  ["/v1/admin/settlements", "settlement"],
  ["/v1/admin/stats", "query"],
  ["/v1/admin/members", "query"],
];

/** Paths matched whole: membership lists the members, while the query read model answers beneath. */
export const exactOwners: ReadonlyMap<string, ContextName> = new Map([["/v1/admin/members", "membership"]]);

/** The contexts that run sagas: GET /v1/admin/sagas asks each of them. */
export const sagaOwners: readonly ContextName[] = ["money", "remittance", "payment", "settlement"];

/** The owner of a path; undefined when no context serves it. */
export function ownerOf(path: string): ContextName | undefined {
  const exact = exactOwners.get(path);
  if (exact) return exact;
  let best: readonly [string, ContextName] | undefined;
  for (const entry of routeOwners) {
    const [prefix] = entry;
    const matches = path === prefix || path.startsWith(`${prefix}/`);
    if (matches && (!best || prefix.length > best[0].length)) best = entry;
  }
  return best?.[1];
}

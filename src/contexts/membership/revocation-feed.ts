import type { Revocations } from "../../platform/auth/revocations.js";
import type { EventBus, EventEnvelope } from "../../platform/bus/bus.js";
import type { Queryable } from "../../platform/db/db.js";
import { type AccessRevoked, type MemberWithdrawn, membershipEventTypes } from "./events.js";
import { chainsRevokedSince } from "./session-store.js";
import { withdrawnSince } from "./store.js";

/**
 * Keeps this process's revocation view current: every process learns the revocations any process
 * makes through membership's events (a broadcast, not a shared consumer), and what came before it
 * started from membership's tables. The guard then refuses those tokens without the database.
 */

function toDate(value: unknown): Date | undefined {
  const at = typeof value === "string" ? new Date(value) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : undefined;
}

function apply(revocations: Revocations, event: EventEnvelope): void {
  if (event.type === membershipEventTypes.withdrawn) {
    const data = event.data as Partial<MemberWithdrawn>;
    const at = toDate(data.withdrawnAt);
    if (typeof data.membershipId === "string" && at) revocations.revokeMember(data.membershipId, at);
    return;
  }
  const data = event.data as Partial<AccessRevoked>;
  const at = toDate(data.revokedAt);
  const chainIds = Array.isArray(data.chainIds) ? data.chainIds.filter((c) => typeof c === "string") : [];
  if (at) revocations.revokeChains(chainIds, at);
}

/** Subscribes first, then loads: a revocation committed while loading comes by one way or the other. */
export async function followRevocations(bus: EventBus, db: Queryable, revocations: Revocations) {
  await bus.broadcast([membershipEventTypes.withdrawn, membershipEventTypes.accessRevoked], async (event) =>
    apply(revocations, event),
  );
  const since = revocations.horizon();
  for (const m of await withdrawnSince(db, since)) revocations.revokeMember(m.membershipId, m.withdrawnAt);
  for (const c of await chainsRevokedSince(db, since)) revocations.revokeChains([c.chainId], c.revokedAt);
}

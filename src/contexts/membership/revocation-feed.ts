import type { Revocations } from "../../platform/auth/revocations.js";
import type { EventBus, EventEnvelope } from "../../platform/bus/bus.js";
import type { Revoked } from "./api.js";
import { type AccessRevoked, type MemberWithdrawn, membershipEventTypes } from "./events.js";

/**
 * Keeps this process's revocation view current: every process learns the revocations any process
 * makes through membership's events (a broadcast, not a shared consumer), and what came before it
 * started from membership (its tables in its own process, its service in another). The guard then refuses those tokens without the database.
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
export async function followRevocations(
  bus: EventBus,
  membership: RevocationSource,
  revocations: Revocations,
) {
  await subscribeRevocations(bus, revocations);
  await loadRevocations(membership, revocations);
}

export interface RevocationSource {
  revokedSince(since: string): Promise<Revoked>;
}

/** The events part: every revocation made from now on. */
export async function subscribeRevocations(bus: EventBus, revocations: Revocations) {
  await bus.broadcast([membershipEventTypes.withdrawn, membershipEventTypes.accessRevoked], async (event) =>
    apply(revocations, event),
  );
}

/** The part before: what membership holds (after subscribing, so that nothing falls between). */
export async function loadRevocations(membership: RevocationSource, revocations: Revocations) {
  const { members, chains } = await membership.revokedSince(revocations.horizon().toISOString());
  for (const m of members) revocations.revokeMember(m.membershipId, new Date(m.withdrawnAt));
  for (const c of chains) revocations.revokeChains([c.chainId], new Date(c.revokedAt));
}

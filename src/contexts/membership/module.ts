import { fileURLToPath } from "node:url";
import type { Revocations } from "../../platform/auth/revocations.js";
import type { ContextModule } from "../../platform/context.js";
import type { BankingApi } from "../banking/api.js";
import type { MoneyWallets } from "../money/api.js";
import { createMembershipApi } from "./api.js";
import { loadAuthKeys } from "./auth-keys.js";
import { registerFranchiseRoutes } from "./franchise-routes.js";
import { followRevocations } from "./revocation-feed.js";
import { registerMembershipRoutes } from "./routes.js";
import type { MembershipDeps } from "./service.js";

export { type AuthKeys, loadAuthKeys } from "./auth-keys.js";
export { ensureAdmin } from "./ensure-admin.js";

/** Membership's numbered .sql files (also for tests that migrate without mounting it). */
export const membershipMigrationsDir = fileURLToPath(new URL("./migrations", import.meta.url));

export interface MembershipOptions {
  /** Money closes a leaving member's wallet (only when empty) before the withdrawal commits. */
  readonly money: MoneyWallets;
  /** Banking checks a franchise's settlement account at the bank (held in the merchant's name). */
  readonly banking: Pick<BankingApi, "verifyAccount">;
  /** The view the auth guard checks (registerAuth): membership keeps it current. */
  readonly revocations: Revocations;
}

/**
 * The membership context. Before mount(): migrations, ensureAdmin(), and registerAuth() on the app
 * with the verifier of loadAuthKeys() and the same `revocations`. mount() starts following
 * revocations, loads the signing key and registers the routes.
 */
export function createMembershipModule(options: MembershipOptions): ContextModule {
  if (!options?.money || !options.banking || !options.revocations) {
    throw new Error("the membership context needs money's api, banking's api and the revocation view");
  }
  return {
    name: "membership",
    schema: "membership",
    migrationsDir: membershipMigrationsDir,
    async mount(env) {
      await followRevocations(env.bus, createMembershipApi(env.db), options.revocations);
      const keys = await loadAuthKeys(env.db, { ...env.config, clock: env.clock });
      const deps: MembershipDeps = {
        db: env.db,
        clock: env.clock,
        signer: keys.signer,
        verifier: keys.verifier,
        refreshTokenTtlSeconds: env.config.refreshTokenTtlSeconds,
        revocations: options.revocations,
        money: options.money,
        banking: options.banking,
        kickRelay: env.kickRelay,
      };
      registerMembershipRoutes(env.app, deps, keys.jwks);
      registerFranchiseRoutes(env.app, deps);
      return undefined;
    },
  };
}

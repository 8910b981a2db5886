import { fileURLToPath } from "node:url";
import type { Id } from "../../kernel/ids.js";
import type { ContextModule } from "../../platform/context.js";
import { loadAuthKeys } from "./auth-keys.js";
import { registerMembershipRoutes } from "./routes.js";
import type { MembershipDeps } from "./service.js";

export { type AuthKeys, loadAuthKeys } from "./auth-keys.js";
export { ensureAdmin } from "./ensure-admin.js";

export interface MembershipOptions {
  /** The money context's balance of a member (withdrawal needs 0); until it is wired, always 0. */
  readonly moneyBalanceOf?: (membershipId: Id<"membership">) => Promise<number>;
}

/**
 * The membership context. Before mount(): migrations, ensureAdmin(), and registerAuth() on the app
 * with the verifier of loadAuthKeys(). mount() loads the signing key and registers the routes.
 */
export function createMembershipModule(options: MembershipOptions = {}): ContextModule {
  return {
    name: "membership",
    schema: "membership",
    migrationsDir: fileURLToPath(new URL("./migrations", import.meta.url)),
    async mount(env) {
      const keys = await loadAuthKeys(env.db, { ...env.config, clock: env.clock });
      const deps: MembershipDeps = {
        db: env.db,
        clock: env.clock,
        signer: keys.signer,
        verifier: keys.verifier,
        refreshTokenTtlSeconds: env.config.refreshTokenTtlSeconds,
        moneyBalanceOf: options.moneyBalanceOf ?? (async () => 0),
        kickRelay: env.kickRelay,
      };
      registerMembershipRoutes(env.app, deps, keys.jwks);
      return undefined;
    },
  };
}

export const membershipModule: ContextModule = createMembershipModule();

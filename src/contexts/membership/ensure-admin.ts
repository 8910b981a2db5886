import { randomBytes, randomUUID } from "node:crypto";
import { type Clock, systemClock } from "../../kernel/clock.js";
import { newId } from "../../kernel/ids.js";
import { hashPassword } from "../../platform/auth/passwords.js";
import type { Config } from "../../platform/config.js";
import type { Db } from "../../platform/db/db.js";
import type { Logger } from "../../platform/logging.js";
import { recordEvents } from "../../platform/outbox.js";
import type { Member } from "./domain.js";
import { memberRegistered, membershipEventTypes } from "./events.js";
import { findMemberByEmail, insertMemberIfAbsent } from "./store.js";

/**
 * Creates the first staff member from MYPAY_ADMIN_EMAIL / MYPAY_ADMIN_PASSWORD when no member has
 * that email yet; later starts change nothing. Without a configured password one is generated and
 * logged once, by the process that created the member. Safe to run from several processes at once.
 */
export async function ensureAdmin(
  db: Db,
  config: Pick<Config, "adminEmail" | "adminPassword">,
  logger: Logger,
  clock: Clock = systemClock,
): Promise<void> {
  if (await findMemberByEmail(db, config.adminEmail)) return;
  const password = config.adminPassword ?? randomBytes(18).toString("base64url");
  const admin: Member = {
    id: newId("membership"),
    name: "mypay staff",
    email: config.adminEmail,
    phone: null,
    region: "HQ",
    type: "staff",
    status: "ACTIVE",
    createdAt: clock.now(),
  };
  const passwordHash = await hashPassword(password);
  const created = await db.tx(async (tx) => {
    if (!(await insertMemberIfAbsent(tx, { ...admin, passwordHash }))) return false;
    const context = { correlationId: `startup-${randomUUID()}` };
    await recordEvents(
      tx,
      "membership",
      [{ type: membershipEventTypes.registered, data: memberRegistered(admin) }],
      context,
    );
    return true;
  });
  if (!created) return;
  if (config.adminPassword) {
    logger.info(
      { email: admin.email, membershipId: admin.id },
      "created the staff member from configuration",
    );
  } else {
    // The only time this password is shown: set MYPAY_ADMIN_PASSWORD to choose one instead.
    logger.warn(
      { email: admin.email, membershipId: admin.id, generatedAdminPassword: password },
      "created the staff member with a generated password; sign in and change it",
    );
  }
}

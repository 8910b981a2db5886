import { fileURLToPath } from "node:url";
import { Type } from "@sinclair/typebox";
import type { EventEnvelope } from "../../platform/bus/bus.js";
import type { ContextModule } from "../../platform/context.js";
import { eventData } from "../../platform/contract.js";
import type { Db, Queryable } from "../../platform/db/db.js";
import { responses } from "../../platform/http/problem.js";
import type { HttpServer } from "../../platform/http/server.js";
import { withDefault } from "../../platform/http/validation.js";
import { handleOnce } from "../../platform/inbox.js";
import { membershipContract, membershipEventTypes } from "../membership/api.js";
import { moneyContract, moneyEvents } from "../money/api.js";
import { mountActivity } from "./activity-routes.js";

/** The query context: read models built from events only (CQRS). */

const schema = "query";

export async function moneyByRegion(db: Db) {
  const rows = await db.query<{ region: string; members: number; balance: number }>(
    `SELECT coalesce(region, 'UNKNOWN') AS region, count(*)::int AS members, coalesce(sum(balance), 0)::bigint AS balance
     FROM query.member_balances WHERE status = 'ACTIVE' AND coalesce(type, '') <> 'staff'
     GROUP BY 1 ORDER BY 1`,
  );
  return {
    total: {
      members: rows.reduce((n, r) => n + r.members, 0),
      balance: rows.reduce((n, r) => n + r.balance, 0),
    },
    groups: rows,
  };
}

const Stats = Type.Object(
  {
    total: Type.Object({ members: Type.Integer(), balance: Type.Integer() }),
    groups: Type.Array(
      Type.Object({ region: Type.String(), members: Type.Integer(), balance: Type.Integer() }),
    ),
  },
  { title: "MoneyByRegion" },
);

function registerStatsRoute(app: HttpServer, db: Db) {
  app.get(
    "/v1/admin/stats/money",
    {
      config: { auth: { roles: ["staff"] } },
      schema: {
        tags: ["administration"],
        summary: "Members and money by region (a read model fed by events; normally within a second)",
        querystring: Type.Object(
          { groupBy: withDefault(Type.Literal("region", { default: "region" })) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Stats }, []),
      },
    },
    async () => moneyByRegion(db),
  );
}

/**
 * A member's region is the one of its newest registration or change (by the time membership made
 * it): a MemberModified redelivered late, or arriving before the registration, never undoes a newer one.
 */
const newerProfile = `region = CASE WHEN member_balances.profile_at IS NULL OR member_balances.profile_at < EXCLUDED.profile_at
                                THEN EXCLUDED.region ELSE member_balances.region END,
       profile_at = GREATEST(member_balances.profile_at, EXCLUDED.profile_at)`;

async function applyMemberEvent(tx: Queryable, event: EventEnvelope) {
  const { type } = event;
  if (type === membershipEventTypes.registered) {
    const m = eventData(membershipContract, membershipEventTypes.registered, event);
    await tx.query(
      `INSERT INTO query.member_balances (membership_id, region, type, profile_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (membership_id) DO UPDATE SET type = EXCLUDED.type, ${newerProfile}`,
      [m.membershipId, m.region, m.type, m.registeredAt],
    );
  } else if (type === membershipEventTypes.modified) {
    const m = eventData(membershipContract, membershipEventTypes.modified, event);
    await tx.query(
      `INSERT INTO query.member_balances (membership_id, region, profile_at) VALUES ($1, $2, $3)
       ON CONFLICT (membership_id) DO UPDATE SET ${newerProfile}`,
      [m.membershipId, m.region, m.modifiedAt],
    );
  } else if (type === membershipEventTypes.withdrawn) {
    const m = eventData(membershipContract, membershipEventTypes.withdrawn, event);
    await tx.query(
      `INSERT INTO query.member_balances (membership_id, status) VALUES ($1, 'WITHDRAWN')
       ON CONFLICT (membership_id) DO UPDATE SET status = 'WITHDRAWN'`,
      [m.membershipId],
    );
  }
}

interface Newest {
  readonly membershipId: string;
  readonly value: number;
  readonly version: number;
}

/**
 * Events from one outbox may arrive out of order across replicas: the newest version wins, the
 * balance's and the points' each in its own order. Several changes of one member in a batch are one
 * row, its newest (ON CONFLICT cannot touch a row twice).
 */
const keepNewest = (column: "balance" | "points", version: "version" | "points_version") =>
  async function newest(tx: Queryable, changes: readonly Newest[]) {
    if (changes.length === 0) return;
    await tx.query(
      `INSERT INTO query.member_balances (membership_id, ${column}, ${version})
       SELECT DISTINCT ON (c."membershipId") c."membershipId", c.value, c.version
       FROM jsonb_to_recordset($1::text::jsonb) AS c("membershipId" text, value bigint, version bigint)
       ORDER BY c."membershipId", c.version DESC
       ON CONFLICT (membership_id) DO UPDATE SET ${column} = EXCLUDED.${column}, ${version} = EXCLUDED.${version}
       WHERE member_balances.${version} < EXCLUDED.${version}`,
      [JSON.stringify(changes)],
    );
  };

const newestBalances = keepNewest("balance", "version");
const newestPoints = keepNewest("points", "points_version");
const balanceOf = (e: EventEnvelope): Newest => {
  const m = eventData(moneyContract, moneyEvents.MoneyBalanceChanged, e);
  return { membershipId: m.membershipId, value: m.balance, version: m.version };
};
const pointsOf = (e: EventEnvelope): Newest => {
  const p = eventData(moneyContract, moneyEvents.PointsBalanceChanged, e);
  return { membershipId: p.membershipId, value: p.points, version: p.version };
};

export const queryModule: ContextModule = {
  name: "query",
  schema,
  migrationsDir: fileURLToPath(new URL("./migrations", import.meta.url)),
  async mount(env) {
    const { db, bus } = env;
    await bus.subscribe(
      "query.members",
      Object.values(membershipEventTypes),
      handleOnce(db, schema, "query.members", (tx, event) => applyMemberEvent(tx, event)),
    );
    await bus.subscribe(
      "query.money",
      [moneyEvents.MoneyBalanceChanged],
      handleOnce(
        db,
        schema,
        "query.money",
        (tx, event) => newestBalances(tx, [balanceOf(event)]),
        (tx, events) => newestBalances(tx, events.map(balanceOf)),
      ),
    );
    await bus.subscribe(
      "query.points",
      [moneyEvents.PointsBalanceChanged],
      handleOnce(
        db,
        schema,
        "query.points",
        (tx, event) => newestPoints(tx, [pointsOf(event)]),
        (tx, events) => newestPoints(tx, events.map(pointsOf)),
      ),
    );
    registerStatsRoute(env.app, db);
    await mountActivity(env, schema);
    return undefined;
  },
};

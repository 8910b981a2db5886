import { fileURLToPath } from "node:url";
import { Type } from "@sinclair/typebox";
import type { ContextModule } from "../../platform/context.js";
import type { Db, Queryable } from "../../platform/db/db.js";
import { responses } from "../../platform/http/problem.js";
import type { HttpServer } from "../../platform/http/server.js";
import { withDefault } from "../../platform/http/validation.js";
import { handleOnce } from "../../platform/inbox.js";
import {
  type MemberModified,
  type MemberRegistered,
  type MemberWithdrawn,
  membershipEventTypes,
} from "../membership/api.js";
import { type MoneyBalanceChanged, moneyEvents, type PointsBalanceChanged } from "../money/api.js";
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

async function applyMemberEvent(
  tx: Parameters<Parameters<typeof handleOnce>[3]>[0],
  type: string,
  data: unknown,
) {
  if (type === membershipEventTypes.registered) {
    const m = data as MemberRegistered;
    await tx.query(
      `INSERT INTO query.member_balances (membership_id, region, type) VALUES ($1, $2, $3)
       ON CONFLICT (membership_id) DO UPDATE SET region = EXCLUDED.region, type = EXCLUDED.type`,
      [m.membershipId, m.region, m.type],
    );
  } else if (type === membershipEventTypes.modified) {
    const m = data as MemberModified;
    await tx.query(
      `INSERT INTO query.member_balances (membership_id, region) VALUES ($1, $2)
       ON CONFLICT (membership_id) DO UPDATE SET region = EXCLUDED.region`,
      [m.membershipId, m.region],
    );
  } else if (type === membershipEventTypes.withdrawn) {
    const m = data as MemberWithdrawn;
    await tx.query(
      `INSERT INTO query.member_balances (membership_id, status) VALUES ($1, 'WITHDRAWN')
       ON CONFLICT (membership_id) DO UPDATE SET status = 'WITHDRAWN'`,
      [m.membershipId],
    );
  }
}

// Events from one outbox may arrive out of order across replicas: the newest version wins. Several
// changes of one member in a batch are one row: its newest (ON CONFLICT cannot touch a row twice).
async function newestBalances(tx: Queryable, changes: readonly MoneyBalanceChanged[]) {
  if (changes.length === 0) return;
  await tx.query(
    `INSERT INTO query.member_balances (membership_id, balance, version)
     SELECT DISTINCT ON (c."membershipId") c."membershipId", c.balance, c.version
     FROM jsonb_to_recordset($1::text::jsonb) AS c("membershipId" text, balance bigint, version bigint)
     ORDER BY c."membershipId", c.version DESC
     ON CONFLICT (membership_id) DO UPDATE SET balance = EXCLUDED.balance, version = EXCLUDED.version
     WHERE member_balances.version < EXCLUDED.version`,
    [
      JSON.stringify(
        changes.map((c) => ({ membershipId: c.membershipId, balance: c.balance, version: c.version })),
      ),
    ],
  );
}

/** As for the balance: the newest points win, in points' own order. */
async function newestPoints(tx: Queryable, changes: readonly PointsBalanceChanged[]) {
  if (changes.length === 0) return;
  await tx.query(
    `INSERT INTO query.member_balances (membership_id, points, points_version)
     SELECT DISTINCT ON (c."membershipId") c."membershipId", c.points, c.version
     FROM jsonb_to_recordset($1::text::jsonb) AS c("membershipId" text, points bigint, version bigint)
     ORDER BY c."membershipId", c.version DESC
     ON CONFLICT (membership_id) DO UPDATE SET points = EXCLUDED.points, points_version = EXCLUDED.points_version
     WHERE member_balances.points_version < EXCLUDED.points_version`,
    [
      JSON.stringify(
        changes.map((c) => ({ membershipId: c.membershipId, points: c.points, version: c.version })),
      ),
    ],
  );
}

export const queryModule: ContextModule = {
  name: "query",
  schema,
  migrationsDir: fileURLToPath(new URL("./migrations", import.meta.url)),
  async mount(env) {
    const { db, bus } = env;
    await bus.subscribe(
      "query.members",
      Object.values(membershipEventTypes),
      handleOnce(db, schema, "query.members", (tx, event) => applyMemberEvent(tx, event.type, event.data)),
    );
    await bus.subscribe(
      "query.money",
      [moneyEvents.MoneyBalanceChanged],
      handleOnce(
        db,
        schema,
        "query.money",
        (tx, event) => newestBalances(tx, [event.data as MoneyBalanceChanged]),
        (tx, events) =>
          newestBalances(
            tx,
            events.map((e) => e.data as MoneyBalanceChanged),
          ),
      ),
    );
    await bus.subscribe(
      "query.points",
      [moneyEvents.PointsBalanceChanged],
      handleOnce(
        db,
        schema,
        "query.points",
        (tx, event) => newestPoints(tx, [event.data as PointsBalanceChanged]),
        (tx, events) =>
          newestPoints(
            tx,
            events.map((e) => e.data as PointsBalanceChanged),
          ),
      ),
    );
    registerStatsRoute(env.app, db);
    await mountActivity(env, schema);
    return undefined;
  },
};

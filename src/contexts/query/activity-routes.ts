import { Type } from "@sinclair/typebox";
import { ProblemError } from "../../kernel/errors.js";
import type { ContextEnv } from "../../platform/context.js";
import type { Db } from "../../platform/db/db.js";
import { IdParams } from "../../platform/http/params.js";
import { responses } from "../../platform/http/problem.js";
import type { HttpServer } from "../../platform/http/server.js";
import { withDefault } from "../../platform/http/validation.js";
import { handleOnce } from "../../platform/inbox.js";
import { activityCursorPattern, activityEventTypes, activityKinds, activityOf } from "./activity-items.js";
import { activityMember, activityPage, recordActivity } from "./activity-store.js";

/** A member's activity for staff (API.md "Administration"): a read model fed by events only. */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const ActivityQuery = Type.Object(
  {
    limit: withDefault(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(
      Type.String({ pattern: activityCursorPattern, description: "nextCursor of the previous page" }),
    ),
  },
  { additionalProperties: false },
);

const MemberActivity = Type.Object(
  {
    membershipId: Type.String(),
    money: Nullable(
      Type.Object({ balance: Type.Integer({ description: "as the read model last heard it" }) }),
    ),
    items: Type.Array(
      Type.Object({
        itemId: Type.String({ description: "the ledger entry, recharge, withdrawal… it is about" }),
        kind: Type.Union(activityKinds.map((k) => Type.Literal(k))),
        ledgerKind: Nullable(Type.String({ description: "MONEY: why the balance changed" })),
        amount: Nullable(Type.Integer({ description: "signed won: + into the member's money, − out" })),
        balanceAfter: Nullable(Type.Integer()),
        reference: Nullable(Type.String()),
        status: Nullable(Type.String()),
        occurredAt: Type.String({ format: "date-time" }),
      }),
    ),
    nextCursor: Nullable(Type.String()),
  },
  { title: "MemberActivity" },
);

function registerActivityRoute(app: HttpServer, db: Db) {
  app.get(
    "/v1/admin/members/:id/activity",
    {
      config: { auth: { roles: ["staff"] } },
      schema: {
        tags: ["administration"],
        summary:
          "A member's money, point, payment and remittance activity, newest first (a read model fed by events; normally within a second)",
        params: IdParams("membership"),
        querystring: ActivityQuery,
        response: responses({ 200: MemberActivity }, ["NOT_FOUND"]),
      },
    },
    async (request) => {
      const membershipId = request.params.id;
      const member = await activityMember(db, membershipId);
      if (!member) throw new ProblemError({ code: "NOT_FOUND", detail: "no such member" });
      const page = await activityPage(db, membershipId, request.query);
      return {
        membershipId,
        money: member.balance === null ? null : { balance: member.balance },
        items: page.items.map(({ membershipId: _, ...item }) => item),
        nextCursor: page.nextCursor,
      };
    },
  );
}

/** The consumer that feeds the read model, and the route that reads it. */
export async function mountActivity(env: ContextEnv, schema: string) {
  await env.bus.subscribe(
    "query.activity",
    activityEventTypes,
    handleOnce(env.db, schema, "query.activity", async (tx, event) => {
      const item = activityOf(event);
      if (item) await recordActivity(tx, item);
    }),
  );
  registerActivityRoute(env.app, env.db);
}

import { Type } from "@sinclair/typebox";
import { ProblemError } from "../../kernel/errors.js";
import type { ContextEnv } from "../../platform/context.js";
import type { Db } from "../../platform/db/db.js";
import { IdParams } from "../../platform/http/params.js";
import { responses } from "../../platform/http/problem.js";
import type { HttpServer } from "../../platform/http/server.js";
import { withDefault } from "../../platform/http/validation.js";
import { handleOnce } from "../../platform/inbox.js";
import { activityCursorPattern } from "./activity-cursor.js";
import { activityEventTypes, activityKinds, activityOf } from "./activity-items.js";
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

const Refund = Type.Object({
  money: Type.Integer({ description: "won back to the member's money" }),
  points: Type.Integer({ description: "used points given back" }),
  pointsTakenBack: Type.Integer({ description: "earned points taken back" }),
  takenFromMoney: Type.Integer({ description: "earned points already spent, taken from the money refund" }),
});

// One object with every kind's fields, each present only for its kinds: a union would leave the
// response serializer guessing which branch an item is.
const Details = Type.Object(
  {
    franchiseId: Type.Optional(Type.String({ description: "PAYMENT, PAYMENT_CANCELLED" })),
    paidWithMoney: Type.Optional(Type.Integer({ description: "PAYMENT" })),
    paidWithPoints: Type.Optional(Type.Integer({ description: "PAYMENT" })),
    pointsEarned: Type.Optional(Type.Integer({ description: "PAYMENT" })),
    commissionBps: Type.Optional(Type.Integer({ description: "PAYMENT: the rate stamped on it" })),
    refund: Type.Optional(Refund),
    direction: Type.Optional(Type.Union([Type.Literal("SENT"), Type.Literal("RECEIVED")])),
    remittanceType: Type.Optional(Type.Union([Type.Literal("MEMBER"), Type.Literal("BANK")])),
    fee: Type.Optional(Type.Integer({ description: "REMITTANCE sent: won taken on top of the amount" })),
    toMembershipId: Type.Optional(Nullable(Type.String({ description: "REMITTANCE sent to a member" }))),
    toAccount: Type.Optional(
      Nullable(Type.Object({ bankCode: Type.String(), accountNumber: Type.String() })),
    ),
    fromMembershipId: Type.Optional(Type.String({ description: "REMITTANCE received: the sender" })),
    reason: Type.Optional(Nullable(Type.String({ description: "REMITTANCE: why it FAILED" }))),
  },
  { title: "ActivityDetails", description: "kind-specific figures" },
);

const MemberActivity = Type.Object(
  {
    membershipId: Type.String(),
    money: Nullable(
      Type.Object(
        { balance: Type.Integer(), points: Type.Integer() },
        { description: "the member's money and points as the read model last heard them" },
      ),
    ),
    items: Type.Array(
      Type.Object({
        itemId: Type.String({ description: "the ledger entry, recharge, payment, remittance… it is about" }),
        kind: Type.Union(activityKinds.map((k) => Type.Literal(k))),
        ledgerKind: Nullable(Type.String({ description: "MONEY, POINTS: why the balance changed" })),
        amount: Nullable(
          Type.Integer({ description: "signed: + to the member, − from it; won, or points for POINTS" }),
        ),
        balanceAfter: Nullable(Type.Integer({ description: "MONEY: won after; POINTS: points after" })),
        reference: Nullable(Type.String({ description: "the business id (rch_…, pay_…, rem_…)" })),
        status: Nullable(Type.String()),
        details: Nullable(Details),
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
        money: member.money,
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
    handleOnce(
      env.db,
      schema,
      "query.activity",
      (tx, event) => recordActivity(tx, activityOf(event)),
      (tx, events) => recordActivity(tx, events.flatMap(activityOf)),
    ),
  );
  registerActivityRoute(env.app, env.db);
}

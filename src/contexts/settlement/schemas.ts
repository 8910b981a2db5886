import { type TSchema, Type } from "@sinclair/typebox";
import { idPattern } from "../../platform/http/params.js";
import { withDefault } from "../../platform/http/validation.js";
import { runStatus } from "./domain.js";
import type { RunRow, SettlementRow } from "./store.js";

/** The HTTP shapes of settlement (API.md "Settlement"). */

const DateTime = Type.String({ format: "date-time" });
const WonSum = Type.Integer({ minimum: 0, description: "Integer won" });
const nullable = <T extends TSchema>(t: T, description: string) =>
  Type.Union([t, Type.Null()], { description });

export const IdempotencyHeaders = Type.Object({
  "idempotency-key": Type.String({
    minLength: 1,
    maxLength: 255,
    description: "required; 1-255 printable characters",
  }),
});

export const RunRequest = Type.Object(
  {
    cutoff: Type.Optional(
      Type.String({
        format: "date-time",
        description: "Settle the NORMAL payments made before this time (default: now); not in the future",
      }),
    ),
  },
  { additionalProperties: false, title: "SettlementRunRequest" },
);

const totalWhenRecorded = "null while the run is still claiming its payments";

export const Run = Type.Object(
  {
    runId: Type.String({ description: "str_…" }),
    cutoff: DateTime,
    scheduledFor: nullable(
      DateTime,
      "The schedule's slot for a scheduled run; null for a run staff asked for",
    ),
    franchises: nullable(Type.Integer({ minimum: 0 }), `Franchises settled by the run; ${totalWhenRecorded}`),
    paymentCount: nullable(Type.Integer({ minimum: 0 }), totalWhenRecorded),
    gross: nullable(WonSum, totalWhenRecorded),
    commission: nullable(WonSum, totalWhenRecorded),
    net: nullable(WonSum, totalWhenRecorded),
    status: Type.Union([Type.Literal("RUNNING"), Type.Literal("COMPLETED")], {
      description:
        "RUNNING while payments are claimed or a payout is under way; COMPLETED once every settlement is PAID or FAILED",
    }),
    settlements: Type.Object(
      { pending: Type.Integer(), paid: Type.Integer(), failed: Type.Integer() },
      { description: "How many of the run's settlements are in each status" },
    ),
    createdAt: DateTime,
  },
  { title: "SettlementRun" },
);

const settlementFields = {
  settlementId: Type.String({ description: "stl_…" }),
  runId: Type.String({ description: "str_…" }),
  franchiseId: Type.String({ description: "fra_…" }),
  paymentCount: Type.Integer({ minimum: 1 }),
  gross: WonSum,
  commission: Type.Integer({
    minimum: 0,
    description: "Σ over the stamped rates of floor(sum × bps / 10000)",
  }),
  net: Type.Integer({ minimum: 0, description: "gross − commission, paid to the settlement account" }),
  status: Type.Union([Type.Literal("PENDING"), Type.Literal("PAID"), Type.Literal("FAILED")]),
  firmbankingId: Type.Union([Type.String(), Type.Null()], {
    description:
      "The payout at the bank (the last refused attempt's when FAILED); null before one, or when net is 0",
  }),
  paidAt: nullable(DateTime, "When the net arrived; null unless PAID"),
  failureReason: Type.Union([Type.String(), Type.Null()], { description: "The bank's reason when FAILED" }),
  createdAt: DateTime,
};

export const Settlement = Type.Object(settlementFields, { title: "Settlement" });

export const SettlementDetail = Type.Object(
  {
    ...settlementFields,
    paymentIds: Type.Array(Type.String(), { description: "The payments it settles, oldest first" }),
  },
  { title: "SettlementDetail" },
);

const optionalId = (kind: Parameters<typeof idPattern>[0], description: string) =>
  Type.Optional(Type.String({ pattern: idPattern(kind), description }));

export const SettlementQuery = Type.Object(
  {
    limit: withDefault(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: optionalId("settlement", "nextCursor of the previous page"),
    franchiseId: optionalId("franchise", "one franchise's settlements"),
    runId: optionalId("settlementRun", "one run's settlements"),
  },
  { additionalProperties: false },
);

export const SettlementList = Type.Object(
  { items: Type.Array(Settlement), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { title: "SettlementList" },
);

export const RunQuery = Type.Object(
  {
    limit: withDefault(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: optionalId("settlementRun", "nextCursor of the previous page"),
  },
  { additionalProperties: false },
);

export const RunList = Type.Object(
  { items: Type.Array(Run), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { title: "SettlementRunList" },
);

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

export const runView = (r: RunRow) => ({
  runId: r.id,
  cutoff: new Date(r.cutoff).toISOString(),
  scheduledFor: iso(r.scheduled_for),
  franchises: r.franchises,
  paymentCount: r.payment_count,
  gross: r.gross,
  commission: r.commission,
  net: r.net,
  status: runStatus(r.status === "RECORDED", r.pending),
  settlements: { pending: r.pending, paid: r.paid, failed: r.failed },
  createdAt: new Date(r.created_at).toISOString(),
});

export const settlementView = (s: SettlementRow) => ({
  settlementId: s.id,
  runId: s.run_id,
  franchiseId: s.franchise_id,
  paymentCount: s.payment_count,
  gross: s.gross,
  commission: s.commission,
  net: s.net,
  status: s.status,
  firmbankingId: s.firmbanking_id,
  paidAt: iso(s.paid_at),
  failureReason: s.failure_reason,
  createdAt: new Date(s.created_at).toISOString(),
});

import { Type } from "@sinclair/typebox";

/** Shapes every context's routes share: won amounts, the Idempotency-Key header, list pages. */

/** A won amount a request may move: 1 to `max` (MYPAY_TRANSACTION_LIMIT). */
export const WonAmount = (max: number) =>
  Type.Integer({ minimum: 1, maximum: max, description: `Integer won, 1 to ${max.toLocaleString("en")}` });

/** The header every money-moving POST requires (API.md "Idempotency"). */
export const IdempotencyHeaders = Type.Object({
  "idempotency-key": Type.String({
    minLength: 1,
    maxLength: 255,
    description: "required; 1-255 printable characters",
  }),
});

/**
 * A page of `limit` items from `limit + 1` rows read newest first: the extra row only says there is
 * more, and the last item's id is where the next page starts.
 */
export function pageOf<T extends { id: string }, V>(rows: readonly T[], limit: number, view: (row: T) => V) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(view), nextCursor: rows.length > limit && last ? last.id : null };
}

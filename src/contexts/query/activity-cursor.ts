import type { ActivityItem } from "./activity-items.js";

/** A page's cursor: the last item's time (epoch ms) and id, so that the next page starts right after. */
export const activityCursorPattern = "^[0-9]{1,15}~[A-Za-z0-9_:]{1,100}$";

export function activityCursor(item: Pick<ActivityItem, "occurredAt" | "itemId">): string {
  return `${Date.parse(item.occurredAt)}~${item.itemId}`;
}

export function parseActivityCursor(cursor: string): { occurredAt: string; itemId: string } | undefined {
  if (!new RegExp(activityCursorPattern).test(cursor)) return undefined;
  const at = cursor.indexOf("~");
  return {
    occurredAt: new Date(Number(cursor.slice(0, at))).toISOString(),
    itemId: cursor.slice(at + 1),
  };
}

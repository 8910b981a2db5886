import { Type } from "@sinclair/typebox";
import { type IdKind, idPrefixes } from "../../kernel/ids.js";

/**
 * Path parameters. Each has the pattern of what it names, so a malformed one (a NUL, SQL, another
 * kind's id) is refused before any SQL runs, as 404 NOT_FOUND (server.ts).
 */

/** The pattern of an id of that kind, as `newId` makes it (kernel/ids.ts). */
export const idPattern = (kind: IdKind) => `^${idPrefixes[kind]}_[0-9a-f]{32}$`;

/** `{ id }` for a route about one resource of that kind. */
export const IdParams = (kind: IdKind) =>
  Type.Object(
    { id: Type.String({ pattern: idPattern(kind), description: `${idPrefixes[kind]}_…` }) },
    { additionalProperties: false },
  );

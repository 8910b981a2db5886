import type { SwaggerTransformObject } from "@fastify/swagger";
import type { RouteOptions } from "fastify";
import { responses } from "./problem.js";

/** What every route's OpenAPI entry gets from the server itself rather than from each route. */

/**
 * onRoute: an operation that takes a body can be refused for its size (413) or its media type (415)
 * before its handler runs, so it documents both.
 */
export function documentBodyProblems(route: RouteOptions) {
  const schema = route.schema;
  if (!schema?.body) return;
  const declared = (schema.response ?? {}) as Record<number, unknown>;
  route.schema = {
    ...schema,
    response: { ...responses({}, ["PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"]), ...declared },
  };
}

type Json = { [key: string]: unknown };
const isObject = (node: unknown): node is Json => typeof node === "object" && node !== null;

/**
 * transformObject: every object schema with a `title` (Membership, Recharge, BankList…) becomes an
 * entry of components.schemas, referenced by `$ref` wherever it is used, so the document names the
 * types a client gets back (Swagger UI's "Schemas"). Two different schemas may not share a title.
 */
export const hoistNamedSchemas: SwaggerTransformObject = (document) => {
  if (!("openapiObject" in document)) return document.swaggerObject;
  const doc = document.openapiObject;
  const named: Json = { ...(doc.components?.schemas ?? {}) };
  const hoist = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(hoist);
    if (!isObject(node)) return node;
    const schema = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, hoist(value)]));
    const title = schema.title;
    if (typeof title !== "string" || schema.type !== "object") return schema;
    const known = named[title];
    if (known !== undefined && JSON.stringify(known) !== JSON.stringify(schema)) {
      throw new Error(`two different schemas are titled '${title}'; give one another title`);
    }
    named[title] = schema;
    return { $ref: `#/components/schemas/${title}` };
  };
  const paths = hoist(doc.paths) as typeof doc.paths;
  return { ...doc, paths, components: { ...doc.components, schemas: named } } as typeof doc;
};

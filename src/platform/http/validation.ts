import { type TSchema, Type } from "@sinclair/typebox";
import { Ajv, type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchemaCompiler } from "fastify";

function makeAjv(coerceTypes: boolean) {
  const ajv = new Ajv({
    coerceTypes,
    // An unknown field is an error, not something to drop silently.
    removeAdditional: false,
    useDefaults: true,
    allErrors: false,
    strict: false,
  });
  addFormats.default(ajv);
  return ajv;
}

// Bodies are JSON and must have the right types ("1000" is not a number); query strings and
// path parameters arrive as text and are coerced.
const bodyAjv = makeAjv(false);
const textAjv = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === "body" ? bodyAjv : textAjv;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};

/**
 * A query parameter with a default: optional for the client, as the OpenAPI document says, yet always
 * there for the handler (its static type is not optional), because ajv fills in the default
 * (useDefaults) before the handler runs.
 */
export function withDefault<T extends TSchema>(schema: T): T {
  if (schema.default === undefined) throw new Error("withDefault: the schema has no default");
  return Type.Optional(schema) as unknown as T;
}

export function addSharedSchema(schema: { $id: string }) {
  for (const ajv of [bodyAjv, textAjv]) if (!ajv.getSchema(schema.$id)) ajv.addSchema(schema);
}

/** One readable sentence from ajv's errors, e.g. `body/amount must be integer`. */
export function describeValidation(errors: readonly ErrorObject[], context: string): string {
  return errors
    .map((e) => {
      const where = `${context}${e.instancePath}`;
      if (e.keyword === "additionalProperties") {
        return `${where} has an unknown field '${(e.params as { additionalProperty: string }).additionalProperty}'`;
      }
      if (e.keyword === "required") {
        return `${where} is missing the field '${(e.params as { missingProperty: string }).missingProperty}'`;
      }
      return `${where} ${e.message ?? "is not valid"}`;
    })
    .join("; ");
}

import { SerializerSelector } from "@fastify/fast-json-stringify-compiler";
import type { FastifySerializerCompiler } from "fastify";

// Footprint (issue 8): Fastify compiles every route's response serializers when the server starts,
// and fast-json-stringify builds an ajv instance for each response schema with a union in it: a
// process paid for hundreds of them, about 25 MB at idle, whichever routes it serves. Here a schema
// met again (the problem document of every route's 4xx answers) is compiled once, and mypay's own
// server compiles each on its first use. Validators stay compiled at start.

type BuildSerializer = (externalSchemas: unknown, options: unknown) => FastifySerializerCompiler<unknown>;

type Serialize = (data: unknown) => string;

// One per process: Fastify asks for a factory per plugin context, each with the same shared schemas.
const compiled = new Map<string, Serialize>();

/**
 * Fastify's serializer factory (fast-json-stringify), compiling each distinct response schema once
 * per process: on its first use, or at once when `lazy` is false.
 */
export function sharedSerializers(lazy: boolean): BuildSerializer {
  return (externalSchemas, options) => {
    const compile = (SerializerSelector() as BuildSerializer)(externalSchemas, options);
    const shared = JSON.stringify(externalSchemas ?? {});
    const serializer = (route: Parameters<FastifySerializerCompiler<unknown>>[0]): Serialize => {
      const key = shared + JSON.stringify(route.schema);
      let serialize = compiled.get(key);
      if (!serialize) {
        serialize = compile(route) as Serialize;
        compiled.set(key, serialize);
      }
      return serialize;
    };
    if (!lazy) return serializer;
    return (route) => {
      let serialize: Serialize | undefined;
      return (data: unknown) => {
        serialize ??= serializer(route);
        return serialize(data);
      };
    };
  };
}

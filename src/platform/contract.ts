import { type Static, type TOptional, type TSchema, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { FormatRegistry } from "@sinclair/typebox/type";
import { type ErrorCode, errorCodes, type Result } from "../kernel/errors.js";
import type { ContextName } from "./config.js";
import { PoisonEvent } from "./poison.js";

/**
 * A context's contract as a value (DESIGN.md, "Inside a context"): for each operation other contexts
 * may call, the TypeBox schemas of its arguments and answer, the failure codes its answer may carry,
 * and whether sending it again is safe. From this one value come the type of the in-process
 * implementation (`Implementation`), the internal HTTP routes (`serveContract`) and the typed HTTP
 * client (`contractClient`), so a caller cannot tell which one it holds.
 */
export interface Operation {
  /** The positional arguments; a trailing `Type.Optional(…)` is an optional argument. */
  readonly args: readonly TSchema[];
  readonly returns: TSchema;
  /** The codes an answer's failure may carry (documentation, and the internal OpenAPI). */
  readonly errors: readonly ErrorCode[];
  /**
   * Safe to send again when the outcome is unknown: it only reads, or it carries the caller's id so
   * that a repeat answers as the first did and changes nothing twice.
   */
  readonly retry: boolean;
}

export interface Contract<
  Ops extends Record<string, Operation> = Record<string, Operation>,
  Events extends Record<string, TSchema> = Record<string, TSchema>,
> {
  readonly context: ContextName;
  readonly operations: Ops;
  /** The events the context publishes: their type names and the schema of their data. */
  readonly events: Events;
}

export function defineContract<
  const Ops extends Record<string, Operation>,
  const Events extends Record<string, TSchema>,
>(contract: Contract<Ops, Events>): Contract<Ops, Events> {
  return contract;
}

type ArgsOf<A extends readonly TSchema[]> = A extends readonly [
  ...infer Head extends readonly TSchema[],
  infer Last extends TSchema,
]
  ? Last extends TOptional<infer Inner extends TSchema>
    ? [...ArgsOf<Head>, Static<Inner>?]
    : [...ArgsOf<Head>, Static<Last>]
  : [];

/** The type every implementation of the contract has, in this process or behind HTTP. */
export type Implementation<C extends Contract> = {
  readonly [K in keyof C["operations"]]: (
    ...args: ArgsOf<C["operations"][K]["args"]>
  ) => Promise<Static<C["operations"][K]["returns"]>>;
};

/** The data of one of the contract's events. */
export type EventData<C extends Contract, E extends keyof C["events"]> = Static<C["events"][E]>;

/** A schema whose static type is the domain's own type T (branded ids, readonly fields). */
export const shaped = <T>(schema: TSchema) => Type.Unsafe<T>(schema);

const failure = Type.Object({
  code: Type.Unsafe<ErrorCode>(Type.Union(errorCodes.map((c) => Type.Literal(c)))),
  detail: Type.String(),
  extra: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

/** The schema of a `Result` of the kernel: the value, or an expected failure. */
export function resultOf<T extends TSchema>(value: T) {
  return Type.Unsafe<Result<Static<T>>>(
    Type.Union([
      Type.Object({ ok: Type.Literal(true), value }),
      Type.Object({ ok: Type.Literal(false), error: failure }),
    ]),
  );
}

/** No answer but "done" (null on the wire; absent inside a Result). */
export const nothing = Type.Unsafe<void>(Type.Optional(Type.Null()));

/** The answer may be "none" (undefined in this process, null on the wire). */
export const maybe = <T extends TSchema>(schema: T) =>
  Type.Unsafe<Static<T> | undefined>(Type.Union([schema, Type.Null()]));

// The formats the contracts use (TypeBox's compiler knows none by itself).
if (!FormatRegistry.Has("date-time")) {
  FormatRegistry.Set(
    "date-time",
    (value) => !Number.isNaN(Date.parse(value)) && /^\d{4}-\d\d-\d\dT/.test(value),
  );
}

const compiled = new WeakMap<TSchema, ReturnType<typeof TypeCompiler.Compile>>();

/** What is wrong with a value for a schema (its first error), or undefined; compiled once per schema. */
function mismatch(schema: TSchema, value: unknown): string | undefined {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  if (check.Check(value)) return undefined;
  const first = check.Errors(value).First();
  return first ? `${first.path || "/"} ${first.message}` : "does not match";
}

/** Checks arguments and answers against the contract. */
export interface OperationChecks {
  args(values: readonly unknown[]): string | undefined;
  answer(value: unknown): string | undefined;
}

export function checksOf(operation: Operation): OperationChecks {
  return {
    args(values) {
      if (values.length > operation.args.length) return `expected at most ${operation.args.length} arguments`;
      for (const [i, schema] of operation.args.entries()) {
        if (values[i] === undefined && isOptional(schema)) continue;
        const wrong = mismatch(schema, values[i]);
        if (wrong) return `argument ${i + 1}: ${wrong}`;
      }
      return undefined;
    },
    answer(value) {
      const wrong = mismatch(operation.returns, value);
      return wrong && `answer: ${wrong}`;
    },
  };
}

const isOptional = (schema: TSchema) =>
  (schema as unknown as Record<symbol, unknown>)[Symbol.for("TypeBox.Optional")] === "Optional";

/** JSON has no undefined: an absent answer or argument travels as null and comes back as undefined. */
export const toWire = (value: unknown) => (value === undefined ? null : value);
export const fromWire = (value: unknown) => (value === null ? undefined : value);

/**
 * The data of an event, checked against the schema its publisher's contract declares for its type:
 * data that does not match is a PoisonEvent (a dead letter at once), never half-applied.
 */
export function eventData<C extends Contract, E extends keyof C["events"] & string>(
  contract: C,
  type: E,
  event: { readonly type: string; readonly id: string; readonly data: unknown },
): Static<C["events"][E]> {
  const schema = contract.events[type];
  if (!schema || event.type !== type) throw new PoisonEvent(`event ${event.id} is not a ${type}`);
  const wrong = mismatch(schema, event.data);
  if (wrong)
    throw new PoisonEvent(`${type} ${event.id} does not match ${contract.context}'s contract: ${wrong}`);
  return event.data as Static<C["events"][E]>;
}

import { type Failure, type Result, statusOf } from "../../kernel/errors.js";
import type { StepOutcome } from "./types.js";

/**
 * How a saga step reads another context's answer. An expected failure ends the step with its code
 * as the reason; one that says nothing about the request (the service is down, ≥ 500) is a fault the
 * engine retries with backoff, then STUCK.
 */
export function failOrFault<D>(error: Failure): StepOutcome<D> {
  if (statusOf(error.code) >= 500) throw new Error(`${error.code}: ${error.detail}`);
  return { kind: "fail", reason: error.code };
}

/** A call that must not fail at this step (won already moved at the bank): any failure is a fault. */
export function mustSucceed<T>(result: Result<T>, what: string): T {
  if (!result.ok) throw new Error(`${what}: ${result.error.code}: ${result.error.detail}`);
  return result.value;
}

/** The one catalogue of expected failures: a stable code, its HTTP status and a short title (API.md). */
export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, title: "The request is not valid" },
  INVALID_AMOUNT_UNIT: { status: 400, title: "The amount is not in an accepted unit" },
  UNAUTHENTICATED: { status: 401, title: "Authentication is required" },
  INVALID_CREDENTIALS: { status: 401, title: "The email or password is wrong" },
  FORBIDDEN: { status: 403, title: "This role may not use this route" },
  NOT_FOUND: { status: 404, title: "No such resource" },
  CONFLICT: { status: 409, title: "The request conflicts with the resource's state" },
  EMAIL_TAKEN: { status: 409, title: "The email is already registered" },
  PHONE_TAKEN: { status: 409, title: "The mobile number belongs to another member" },
  ALREADY_SETTLED: { status: 409, title: "The payment is already settled" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "The request body is too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "The request body must be application/json" },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: "The idempotency key was used with another request" },
  INSUFFICIENT_BALANCE: { status: 422, title: "The money balance is not enough" },
  INSUFFICIENT_POINTS: { status: 422, title: "The points are not enough" },
  NO_LINKED_ACCOUNT: { status: 422, title: "No bank account is linked" },
  BANK_NOT_SUPPORTED: { status: 422, title: "mypay has no active contract with this bank" },
  BANK_ACCOUNT_INVALID: { status: 422, title: "The bank account cannot be verified" },
  BALANCE_LIMIT_EXCEEDED: { status: 422, title: "The balance would pass the cap" },
  RECIPIENT_INVALID: { status: 422, title: "The recipient cannot receive this remittance" },
  RATE_LIMITED: { status: 429, title: "Too many requests" },
  INTERNAL_ERROR: { status: 500, title: "Something went wrong on our side" },
  BANK_UNAVAILABLE: { status: 503, title: "The bank cannot be reached now" },
  NOT_READY: { status: 503, title: "The service is not ready" },
  // The distributed deployment: a context's service did not answer in time (nothing is left half-done).
  MEMBERSHIP_UNAVAILABLE: { status: 503, title: "The membership service cannot be reached now" },
  BANKING_UNAVAILABLE: { status: 503, title: "The banking service cannot be reached now" },
  MONEY_UNAVAILABLE: { status: 503, title: "The money service cannot be reached now" },
  REMITTANCE_UNAVAILABLE: { status: 503, title: "The remittance service cannot be reached now" },
  PAYMENT_UNAVAILABLE: { status: 503, title: "The payment service cannot be reached now" },
  SETTLEMENT_UNAVAILABLE: { status: 503, title: "The settlement service cannot be reached now" },
  QUERY_UNAVAILABLE: { status: 503, title: "The query service cannot be reached now" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;
export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

/** An expected failure: a value, not an exception. */
export interface Failure {
  readonly code: ErrorCode;
  readonly detail: string;
  /** Extra members for the problem document (e.g. retryAfterSeconds). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(
  code: ErrorCode,
  detail: string,
  extra?: Record<string, unknown>,
): Result<T> => ({ ok: false, error: extra ? { code, detail, extra } : { code, detail } });

/** Thrown at the edge to turn a Failure into a problem response. */
export class ProblemError extends Error {
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(`${failure.code}: ${failure.detail}`);
    this.name = "ProblemError";
    this.failure = failure;
  }
}

/** Returns the value or throws the failure as a ProblemError (for the HTTP edge). */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new ProblemError(result.error);
  return result.value;
}

export const statusOf = (code: ErrorCode): number => errorCatalogue[code].status;

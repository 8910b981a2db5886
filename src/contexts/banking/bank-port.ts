import { BrokenCircuitError, IsolatedCircuitError } from "cockatiel";
import type { AccountRef } from "./api.js";

/** The bank port: what banking needs of a bank gateway (the sandbox bank, or a real one). */

export interface BankListing {
  readonly bankCode: string;
  readonly name: string;
}

export interface BankAccountAtBank extends AccountRef {
  readonly holderName: string;
  readonly balance: number;
  readonly status: string;
}

export interface TransferOrder {
  readonly requestId: string;
  readonly from: AccountRef;
  readonly to: AccountRef;
  readonly amount: number;
}

/** The bank's answer: carried out or refused. Only an answer makes a request terminal. */
export interface TransferAnswer {
  readonly status: "SUCCEEDED" | "FAILED";
  readonly reason?: string;
}

export interface BankPort {
  /** False while the circuit breaker is open: nothing should be sent. */
  available(): boolean;
  listBanks(): Promise<BankListing[]>;
  /** undefined: the bank has no such account. */
  getAccount(ref: AccountRef): Promise<BankAccountAtBank | undefined>;
  openAccount(bankCode: string, holderName: string): Promise<BankAccountAtBank>;
  transfer(order: TransferOrder): Promise<TransferAnswer>;
  /** undefined: the bank never received that requestId. */
  getTransfer(requestId: string): Promise<TransferAnswer | undefined>;
}

/**
 * How a bank call ended without an answer. `refused`: the connection was never made, so the bank
 * surely did not get the request; the others may have reached it. `server`: a 5xx or a body that
 * is not JSON. `unexpected`: an answer we cannot act on (a 4xx, a malformed body, another
 * requestId's outcome): only the bank's explicit outcome of a request is one. `stalled`: a timeout
 * that our own event loop caused (it was blocked for much of the wait), which says nothing of the
 * bank, so the breaker does not count it.
 */
export type NoAnswerKind = "refused" | "timeout" | "stalled" | "reset" | "server" | "unexpected";

export class BankCallError extends Error {
  readonly kind: NoAnswerKind;
  constructor(kind: NoAnswerKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BankCallError";
    this.kind = kind;
  }
}

/** The call got no answer from the bank: failed at the bank, or the breaker stopped it. */
export function isNoAnswer(error: unknown): boolean {
  return (
    error instanceof BankCallError ||
    error instanceof BrokenCircuitError ||
    error instanceof IsolatedCircuitError
  );
}

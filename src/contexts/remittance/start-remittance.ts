import { ok, type Result } from "../../kernel/errors.js";
import { newId } from "../../kernel/ids.js";
import type { IdempotencyKey } from "../../platform/idempotency.js";
import type { NewSaga } from "../../platform/saga/engine.js";
import type { RemittanceDeps } from "./deps.js";
import {
  type BankRecipient,
  checkReceiver,
  isMemberRecipient,
  type Recipient,
  remittanceFee,
  remittanceType,
} from "./domain.js";
import { type BankRemittanceData, bankRemittanceType } from "./remit-to-bank.js";
import { type MemberRemittanceData, memberRemittanceType } from "./remit-to-member.js";
import type { RemittanceData } from "./saga-steps.js";
import { insertRemittance } from "./store.js";

/** remittanceMoney (송금): checks the recipient, then records the remittance and its saga in one transaction. */

export interface RemittanceCommand {
  readonly senderId: string;
  readonly to: Recipient;
  readonly amount: number;
  readonly memo: string | null;
  readonly idempotency: IdempotencyKey | null;
  readonly correlationId: string;
}

/**
 * Refused before anything is stored: yourself, an unknown or withdrawn member (RECIPIENT_INVALID), a
 * bank account the bank does not confirm as existing and active at a contracted bank (its own code;
 * BANK_UNAVAILABLE when the bank does not answer, which a retry may mend). The saga is reserved for
 * the request, which drives it; the worker takes it over only if the process dies.
 */
export async function startRemittance(deps: RemittanceDeps, cmd: RemittanceCommand): Promise<Result<string>> {
  const to = await checkRecipient(deps, cmd);
  if (!to.ok) return to;
  const type = remittanceType(to.value);
  const base: RemittanceData = {
    remittanceId: newId("remittance"),
    membershipId: cmd.senderId,
    amount: cmd.amount,
    fee: remittanceFee(type, deps.config.remittanceFee),
    idempotency: cmd.idempotency,
  };
  const saga = isMemberRecipient(to.value)
    ? memberSaga(base, to.value.membershipId, cmd.correlationId)
    : await bankSaga(deps, base, to.value, cmd.correlationId);
  await deps.db.tx(async (tx) => {
    await insertRemittance(tx, {
      id: base.remittanceId,
      type,
      senderId: cmd.senderId,
      to: to.value,
      amount: base.amount,
      fee: base.fee,
      memo: cmd.memo,
      idempotencyKey: cmd.idempotency?.key ?? null,
    });
    await deps.engine.start(tx, saga, { reserve: true });
  });
  return ok(base.remittanceId);
}

type Saga = NewSaga<MemberRemittanceData | BankRemittanceData>;

async function checkRecipient(deps: RemittanceDeps, cmd: RemittanceCommand): Promise<Result<Recipient>> {
  if (isMemberRecipient(cmd.to)) {
    const { membershipId } = cmd.to;
    const self = membershipId === cmd.senderId;
    const receiver = self ? undefined : await deps.membership.getMember(membershipId);
    const checked = checkReceiver(cmd.senderId, membershipId, receiver);
    return checked.ok ? ok({ membershipId }) : checked;
  }
  // A payee's account is anyone's: no holder name to match, only that it can receive.
  const verified = await deps.banking.verifyAccount(cmd.to);
  if (!verified.ok) return verified;
  return ok({ bankCode: verified.value.bankCode, accountNumber: verified.value.accountNumber });
}

function memberSaga(base: RemittanceData, toMembershipId: string, correlationId: string): Saga {
  const data: MemberRemittanceData = { ...base, toMembershipId };
  return { id: base.remittanceId, type: memberRemittanceType, data, correlationId };
}

async function bankSaga(
  deps: RemittanceDeps,
  base: RemittanceData,
  to: BankRecipient,
  correlationId: string,
): Promise<Saga> {
  const data: BankRemittanceData = {
    ...base,
    requestId: base.remittanceId,
    from: await deps.banking.corporateAccount(),
    to,
  };
  return { id: base.remittanceId, type: bankRemittanceType, data, correlationId };
}

import type { EventBus, EventEnvelope } from "../../platform/bus/bus.js";
import { eventData } from "../../platform/contract.js";
import { handleOnce } from "../../platform/inbox.js";
import { bankingContract, bankingEvents, type FirmbankingCompleted } from "../banking/api.js";
import { membershipContract, membershipEventTypes } from "../membership/api.js";
import { postOrThrow } from "./announce.js";
import { type MoneyDeps, moneySchema } from "./deps.js";
import { accounts, openFranchisePayable, openWallet } from "./ledger.js";
import { closeWallet } from "./wallet.js";

/** What money does when other contexts tell it something. Each handler is idempotent (inbox). */
export async function subscribeMoney(bus: EventBus, deps: MoneyDeps) {
  const { db, logger } = deps;

  await bus.subscribe(
    "money.wallets",
    [membershipEventTypes.registered, membershipEventTypes.withdrawn],
    handleOnce(db, moneySchema, "money.wallets", async (tx, event) => {
      if (event.type === membershipEventTypes.registered) {
        await openWallet(
          tx,
          eventData(membershipContract, membershipEventTypes.registered, event).membershipId,
        );
        return;
      }
      const { membershipId } = eventData(membershipContract, membershipEventTypes.withdrawn, event);
      // Membership withdrew only after money closed the wallet for leaving, empty and refusing new
      // money: now it is closed for good and the points expire (idempotent). A wallet that is not
      // empty can only predate that rule; it stays open so that no won is stranded, and staff must see it.
      let closed = await closeWallet(tx, membershipId);
      if (!closed.ok && closed.error.code === "NOT_FOUND") {
        // The withdrawal came before the registration (a redelivery out of order): the wallet is
        // made closed, and the registration that comes later opens nothing (opening is idempotent).
        await openWallet(tx, membershipId);
        closed = await closeWallet(tx, membershipId);
      }
      if (!closed.ok)
        logger.error(
          { membershipId, reason: closed.error.detail },
          "wallet of a withdrawn member stays open",
        );
    }),
  );

  // The account of what mypay will owe the franchise for its payments; opening it again changes nothing.
  await bus.subscribe(
    "money.franchises",
    [membershipEventTypes.franchiseRegistered],
    handleOnce(db, moneySchema, "money.franchises", async (tx, event) => {
      const { franchiseId } = eventData(membershipContract, membershipEventTypes.franchiseRegistered, event);
      await openFranchisePayable(tx, franchiseId);
    }),
  );

  const firmbanking = handleOnce(db, moneySchema, "money.firmbanking", async (tx, event) => {
    const done = eventData(bankingContract, bankingEvents.FirmbankingCompleted, event);
    if (done.status !== "SUCCEEDED" || done.fee === 0) return;
    // The bank's contracted fee is mypay's expense, owed to the bank (it bills it; the corporate
    // account is not debited per transfer, so corporate cash still matches the bank).
    await postOrThrow(
      tx,
      {
        id: `${done.firmbankingId}:fee`,
        kind: "FIRMBANKING_FEE",
        reference: done.firmbankingId,
        postings: [
          { account: accounts.firmbankingFeeExpense, side: "D", amount: done.fee, currency: "KRW" },
          { account: accounts.bankFeesPayable, side: "C", amount: done.fee, currency: "KRW" },
        ],
      },
      {},
      { correlationId: event.correlationId, causationId: event.id },
    );
  });
  await bus.subscribe(
    "money.firmbanking",
    [bankingEvents.FirmbankingCompleted],
    async (event: EventEnvelope) => {
      await firmbanking(event);
      // The bank's answer is known: the saga waiting for it goes on now rather than at its next look.
      const { reference } = event.data as FirmbankingCompleted;
      if (/^(rch|wdr)_/.test(reference)) {
        await deps.engine.wake(reference);
        void deps.engine
          .run(reference)
          .catch((err) => logger.warn({ err, sagaId: reference }, "saga run after wake"));
      }
    },
  );
}

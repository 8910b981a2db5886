import assert from "node:assert/strict";
import type { SandboxBank } from "./app.js";
import type { Account, AccountRef, Faults, TransferRecord } from "./schemas.js";

/** Small HTTP helpers for the sandbox bank's tests (in-process, through app.inject). */
export function bankClient(bank: SandboxBank) {
  const call = async (method: "GET" | "POST" | "PUT" | "PATCH", url: string, payload?: object) => {
    const res = await bank.app.inject({ method, url, ...(payload ? { payload } : {}) });
    return { status: res.statusCode, body: res.json(), type: String(res.headers["content-type"]) };
  };
  let ids = 0;
  return {
    call,
    async open(balance: number, bankCode = "004"): Promise<Account> {
      const res = await call("POST", "/accounts", { bankCode, holderName: "홍길동", balance });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body as Account;
    },
    async balance(ref: AccountRef): Promise<number> {
      const res = await call("GET", `/accounts/${ref.bankCode}/${ref.accountNumber}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return (res.body as Account).balance;
    },
    newId: (prefix = "req") => `${prefix}-${process.pid}-${++ids}`,
    transfer: (requestId: string, from: AccountRef, to: AccountRef, amount: number) =>
      call("POST", "/transfers", {
        requestId,
        from: { bankCode: from.bankCode, accountNumber: from.accountNumber },
        to: { bankCode: to.bankCode, accountNumber: to.accountNumber },
        amount,
      }),
    async stored(requestId: string): Promise<TransferRecord | undefined> {
      const res = await call("GET", `/transfers/${requestId}`);
      if (res.status === 404) return undefined;
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as TransferRecord;
    },
    setFaults: async (faults: Partial<Faults>) => {
      const res = await call("PUT", "/faults", faults);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body as Faults;
    },
  };
}

/** Dice that answer queued rolls first, then fall back to Math.random: injected faults on demand. */
export function loadedDice() {
  const queue: number[] = [];
  return { queue, random: () => queue.shift() ?? Math.random() };
}

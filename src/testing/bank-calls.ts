/**
 * Counts the HTTP calls mypay makes to a bank about one request id (POST /transfers with it in the
 * body, GET /transfers/{requestId}), by wrapping the global fetch the bank port uses. stop() puts
 * fetch back.
 */
export function watchBankCalls(bankUrl: string) {
  const original = globalThis.fetch;
  const calls: { method: string; url: string; body: string }[] = [];
  globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.startsWith(bankUrl) && url.includes("/transfers")) {
      const body = typeof init?.body === "string" ? init.body : "";
      calls.push({ method: init?.method ?? "GET", url, body });
    }
    return original(input, init);
  };
  return {
    /** Calls that named this request id. */
    about: (requestId: string) =>
      calls.filter((c) => c.url.endsWith(`/${requestId}`) || c.body.includes(requestId)),
    stop() {
      globalThis.fetch = original;
    },
  };
}

// The gateway's own web routes that are not in the typed client (src/gateway/web.ts): the app's
// settings, and the sandbox bank's test account for the signed-in member.
import { type Outcome, type Problem, session } from "./api.ts";

export interface WebConfig {
  sandbox: boolean;
  balanceCap: number;
  transactionLimit: number;
  remittanceFee: number;
}

export interface SandboxAccount {
  bankCode: string;
  accountNumber: string;
  holderName: string;
  balance: number;
}

async function send<T>(path: string, init: RequestInit = {}): Promise<Outcome<T>> {
  try {
    const token = session.value?.accessToken;
    const res = await fetch(path, {
      ...init,
      credentials: "same-origin",
      headers: {
        ...(init.body ? { "content-type": "application/json" } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const problem =
        typeof body === "object" && body !== null && "code" in body ? (body as Problem) : undefined;
      return { ok: false, status: res.status, problem };
    }
    return { ok: true, data: body as T };
  } catch {
    return { ok: false, status: 0, network: true, problem: undefined };
  }
}

export const loadWebConfig = (): Promise<Outcome<WebConfig>> => send<WebConfig>("/web/config");

export const openSandboxAccount = (bankCode: string): Promise<Outcome<SandboxAccount>> =>
  send<SandboxAccount>("/web/sandbox/accounts", { method: "POST", body: JSON.stringify({ bankCode }) });

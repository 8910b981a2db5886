// Every call goes through the typed client generated from the OpenAPI document (packages/client).
// The access token lives in memory only; the refresh token is an HttpOnly, SameSite=Strict cookie
// scoped to /web/auth, which this code never sees (src/gateway/web.ts). A 401 refreshes once and
// repeats the request; a refresh that is refused ends the session, and the page says so.
import { signal } from "@preact/signals";
import {
  type components,
  createMypayClient,
  newIdempotencyKey,
  type Problem,
} from "../../packages/client/src/index.ts";
import { t } from "./i18n/index.ts";

export type { components, Problem };
export type Schemas = components["schemas"];
export type Role = "customer" | "merchant" | "staff";

export interface Session {
  accessToken: string;
  membershipId: string;
  role: Role;
  email: string;
  name: string;
}

/** undefined while the page asks whether a session exists; null when nobody is signed in. */
export const session = signal<Session | null | undefined>(undefined);
/** Why the last session ended, for the login page to say ("signed out", "logged out"). */
export const endedBecause = signal<string | undefined>(undefined);

interface TokenAnswer {
  accessToken: string;
  expiresIn: number;
}

const claims = (token: string): { sub?: string; role?: Role } => {
  try {
    const part = token.split(".")[1] ?? "";
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
    return JSON.parse(json) as { sub?: string; role?: Role };
  } catch {
    return {};
  }
};

/** The web session routes: JSON, same origin, and a header no cross-site form can send. */
async function webAuth(path: string, body: unknown = {}): Promise<Response> {
  return fetch(`/web/auth/${path}`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", "x-mypay-web": "1" },
    body: JSON.stringify(body),
  });
}

let renewTimer: ReturnType<typeof setTimeout> | undefined;

async function adopt(answer: TokenAnswer): Promise<Session | null> {
  const { sub, role } = claims(answer.accessToken);
  if (!sub || !role) return null;
  const me = await api.GET("/v1/memberships/me", {
    headers: { authorization: `Bearer ${answer.accessToken}` },
  });
  if (!me.data) return null;
  const member = me.data;
  const next: Session = {
    accessToken: answer.accessToken,
    membershipId: sub,
    role,
    email: member.email,
    name: member.name,
  };
  session.value = next;
  endedBecause.value = undefined;
  clearTimeout(renewTimer);
  // Renewed a minute before it expires, so a page left open stays signed in.
  renewTimer = setTimeout(() => void refresh(), Math.max(5, answer.expiresIn - 60) * 1000);
  return next;
}

export function endSession(reason: string | undefined): void {
  clearTimeout(renewTimer);
  session.value = null;
  endedBecause.value = reason;
}

let refreshing: Promise<boolean> | undefined;

/**
 * Trades the cookie for a new access token. One at a time in this page, and one at a time across
 * the browser's tabs (Web Locks), since a refresh token spent twice revokes its whole chain.
 */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const once = async () => {
      const res = await webAuth("refresh");
      if (!res.ok) return false;
      return (await adopt((await res.json()) as TokenAnswer)) !== null;
    };
    try {
      const locks = navigator.locks;
      return locks ? await locks.request("mypay-refresh", once) : await once();
    } catch {
      return false;
    } finally {
      refreshing = undefined;
    }
  })();
  return refreshing;
}

/** At page load: a session exists if the cookie still refreshes. */
export async function restoreSession(): Promise<void> {
  const ok = await refresh();
  if (!ok && session.value === undefined) session.value = null;
}

export async function login(email: string, password: string): Promise<Outcome<Session>> {
  try {
    const res = await webAuth("login", { email, password });
    if (!res.ok) return failure(res, await res.json().catch(() => undefined));
    const next = await adopt((await res.json()) as TokenAnswer);
    return next ? { ok: true, data: next } : { ok: false, status: 500, problem: undefined };
  } catch {
    return { ok: false, status: 0, network: true, problem: undefined };
  }
}

/** Ends the session here and at mypay (the cookie is cleared); `reason` is what the login page says. */
export async function logout(reason = t("auth.loggedOut")): Promise<void> {
  try {
    await webAuth("logout");
  } finally {
    endSession(reason);
  }
}

/** The fetch the typed client uses: the bearer token, and one refresh on a 401. */
async function authFetch(request: Request): Promise<Response> {
  const send = (token: string | undefined) => {
    const copy = request.clone();
    if (token && !request.headers.has("authorization")) copy.headers.set("authorization", `Bearer ${token}`);
    return fetch(copy);
  };
  const token = session.value?.accessToken;
  const res = await send(token);
  if (res.status !== 401 || !token || request.headers.has("authorization")) return res;
  if (await refresh()) return send(session.value?.accessToken);
  endSession(t("auth.signedOut"));
  return res;
}

export const api = createMypayClient({ baseUrl: location.origin, fetch: authFetch });

/** What a call came to: the data, or why not (a problem from the API, or no answer at all). */
export type Outcome<T> =
  | { ok: true; data: T; replayed?: boolean }
  | { ok: false; status: number; problem: Problem | undefined; network?: boolean };

const isProblem = (body: unknown): body is Problem =>
  typeof body === "object" && body !== null && typeof (body as { code?: unknown }).code === "string";

function failure(res: Response, body: unknown): Outcome<never> {
  return { ok: false, status: res.status, problem: isProblem(body) ? body : undefined };
}

/** Runs a typed-client call and never throws: a network error is an outcome too. */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Outcome<T>> {
  try {
    const { data, error, response } = await request;
    if (!response.ok) return failure(response, error);
    return {
      ok: true,
      data: data as T,
      replayed: response.headers.get("idempotent-replayed") === "true",
    };
  } catch {
    return { ok: false, status: 0, network: true, problem: undefined };
  }
}

/** The outcome in plain words, in the current language. */
export function explain(outcome: Outcome<unknown>): string {
  if (outcome.ok) return "";
  if (outcome.network) return t("error.network");
  const code = outcome.problem?.code;
  if (code?.endsWith("_UNAVAILABLE") && code !== "BANK_UNAVAILABLE") return t("problem.UNAVAILABLE");
  if (code) {
    const text = t(`problem.${code}`);
    return text === `problem.${code}`
      ? (outcome.problem?.detail ?? t("error.unknown", { status: outcome.status }))
      : text;
  }
  return t("error.unknown", { status: outcome.status });
}

/** Whether sending the same request again could still succeed (no definite answer came). */
export const retryable = (outcome: Outcome<unknown>): boolean =>
  !outcome.ok && (outcome.network === true || outcome.status >= 500 || outcome.status === 429);

export { newIdempotencyKey };

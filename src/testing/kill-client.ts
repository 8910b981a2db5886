import { sleep } from "./kill-procs.js";

/** A client of mypay over real HTTP that keeps asking, with the same key, until it gets an answer. */

export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** One money move a client asked for, and everything it was told. */
export interface KeyRecord {
  readonly key: string;
  readonly kind: "recharge" | "withdraw";
  readonly member: number;
  readonly amount: number;
  /** Every definite answer (neither 409 "still in flight" nor a 5xx that processed nothing). */
  readonly answers: Answer[];
  sends: number;
  firstSentAt: number;
  answeredAt: number | undefined;
}

export type Reply = { readonly status: number; readonly body: string } | { readonly error: string };

/** Counts of what clients saw that was not an answer: why they had to ask again. */
export type Seen = Record<string, number>;

export async function request(
  baseUrl: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; key?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.key) headers["idempotency-key"] = opts.key;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: await res.text() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { error: cause?.code ?? (error instanceof Error ? error.name : "error") };
  }
}

/** Why a reply is not an answer to keep, or undefined when it is one. */
export function notAnAnswer(reply: Reply): string | undefined {
  if ("error" in reply) return `connection ${reply.error}`;
  if (reply.status >= 500) return `${reply.status} ${codeOf(reply.body)}`;
  if (reply.status === 409 && /in flight/i.test(reply.body)) return "409 in flight";
  return undefined;
}

export function codeOf(body: string): string {
  try {
    const json = JSON.parse(body) as { code?: string; status?: string };
    return json.code ?? json.status ?? "?";
  } catch {
    return "not json";
  }
}

export interface Asking {
  readonly baseUrl: string;
  readonly token: string;
  readonly seen: Seen;
  /** Past this time (ms since the epoch) the client gives up on a key; it stays unanswered. */
  readonly giveUpAt: () => number;
  /** True when the run was aborted. */
  readonly aborted: () => boolean;
}

/**
 * Sends the move until a definite answer, retrying the same key and body after a dropped connection,
 * a 5xx or a 409 "still in flight" (short backoff). Returns early with "in flight" when asked to, so
 * that a long-refused key can be parked while the client goes on with others.
 */
export async function ask(
  a: Asking,
  rec: KeyRecord,
  stopOnInFlight: boolean,
): Promise<"answered" | "in flight" | "gave up"> {
  for (let attempt = 0; ; attempt++) {
    if (a.aborted() || Date.now() > a.giveUpAt()) return "gave up";
    rec.sends++;
    const reply = await request(a.baseUrl, "POST", `/v1/money/${rec.kind}`, {
      token: a.token,
      key: rec.key,
      body: { amount: rec.amount },
    });
    const why = notAnAnswer(reply);
    if (why === undefined && !("error" in reply)) {
      rec.answers.push({ status: reply.status, body: reply.body });
      rec.answeredAt ??= Date.now();
      return "answered";
    }
    a.seen[why as string] = (a.seen[why as string] ?? 0) + 1;
    if (stopOnInFlight && why === "409 in flight") return "in flight";
    await sleep(Math.min(1_000, 100 * 2 ** Math.min(attempt, 4)) * (0.5 + Math.random() / 2));
  }
}

/** Keys whose definite answers differ (in status or body): a retry that was told something else. */
export function changedAnswers(records: readonly KeyRecord[]): string[] {
  return records.flatMap((r) => {
    const [first, ...rest] = r.answers;
    const same = (x: Answer) => x.status === first?.status && canonical(x.body) === canonical(first.body);
    const other = rest.find((x) => !same(x));
    return first && other
      ? [`${r.key}: ${first.status} ${first.body} then ${other.status} ${other.body}`]
      : [];
  });
}

/** The body as JSON with its keys in order: a replay read back from storage may order them otherwise. */
function canonical(body: string): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  try {
    return JSON.stringify(sort(JSON.parse(body)));
  } catch {
    return body;
  }
}

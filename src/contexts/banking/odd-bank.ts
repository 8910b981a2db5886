import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * For banking's tests: a bank that answers POST /transfers and GET /transfers/{requestId} by the
 * requestId's prefix (`c409-…` answers 409, `slow-…` never answers, `failed-…` is an explicit
 * FAILED, `gone409-…` is 404 to GET and 409 to POST), to see what mypay makes of answers the
 * sandbox bank never gives.
 */

type Answer = { status: number; body?: unknown; raw?: string } | "hold";

const problem = (status: number, code: string) => ({
  status,
  body: { type: "about:blank", title: code, status, code },
});

function answerFor(method: string | undefined, requestId: string): Answer {
  const prefix = requestId.split("-")[0];
  switch (prefix) {
    // Never received, by its record; a 409 to sending it again.
    case "gone409":
      return method === "GET" ? problem(404, "NOT_FOUND") : problem(409, "CONFLICT");
    case "c409":
      return problem(409, "CONFLICT");
    case "c429":
      return problem(429, "TOO_MANY_REQUESTS");
    case "c400":
      return problem(400, "VALIDATION_FAILED");
    case "c422":
      return problem(422, "UNPROCESSABLE");
    case "garbage":
      return { status: 200, raw: "<html>oops</html>" };
    case "shape":
      return { status: 200, body: { ok: true } };
    case "other":
      return { status: 200, body: { requestId: "someone-else", status: "FAILED", reason: "NO_SUCH" } };
    case "failed":
      return { status: 200, body: { requestId, status: "FAILED", reason: "ACCOUNT_CLOSED" } };
    case "missing":
      return problem(404, "NOT_FOUND");
    case "slow":
      return "hold";
    default:
      return { status: 200, body: { requestId, status: "SUCCEEDED" } };
  }
}

async function requestIdOf(req: IncomingMessage): Promise<string> {
  const path = new URL(req.url ?? "/", "http://bank").pathname;
  if (req.method === "GET") return decodeURIComponent(path.replace(/^\/transfers\//, ""));
  let text = "";
  for await (const chunk of req) text += chunk;
  return String((JSON.parse(text) as { requestId?: unknown }).requestId);
}

function reply(res: ServerResponse, answer: Exclude<Answer, "hold">) {
  res.writeHead(answer.status, { "content-type": "application/json" });
  res.end(answer.raw ?? JSON.stringify(answer.body));
}

export interface OddBank {
  readonly url: string;
  close(): Promise<void>;
}

export async function startOddBank(): Promise<OddBank> {
  const server = createServer((req, res) => {
    requestIdOf(req).then(
      (requestId) => {
        const answer = answerFor(req.method, requestId);
        if (answer !== "hold") reply(res, answer);
      },
      () => reply(res, problem(400, "VALIDATION_FAILED")),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

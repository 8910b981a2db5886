import { type Context, context, createContextKey, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

const correlationKey = createContextKey("mypay.correlationId");

/** The context with the correlation id of the request or event being handled (tracing.ts sets it). */
export function withCorrelationId(ctx: Context, correlationId: string): Context {
  return ctx.setValue(correlationKey, correlationId);
}

export function correlationOf(ctx: Context): string | undefined {
  return ctx.getValue(correlationKey) as string | undefined;
}

export interface CorrelationFields {
  correlationId?: string;
  traceId?: string;
}

const none: CorrelationFields = Object.freeze({});

/** What ties a line to its request or event in every service: the correlation id and the trace id. */
export function correlationFields(ctx: Context = context.active()): CorrelationFields {
  if (ctx === ROOT_CONTEXT) return none;
  const correlationId = correlationOf(ctx);
  const traceId = trace.getSpanContext(ctx)?.traceId;
  if (correlationId === undefined && traceId === undefined) return none;
  return { correlationId, traceId };
}

let stdout: DestinationStream | undefined;

/**
 * Standard output written once per turn of the event loop instead of once per line: the access
 * lines of the requests answered in one turn cost one system call. The lines wait for no timer, and
 * are flushed at exit, so a crash loses none (a SIGKILL at most the lines of the current turn).
 */
function turnBufferedStdout(): DestinationStream {
  // Synchronous, as pino's default: what it is handed is written before it returns.
  const out = pino.destination({ dest: 1, sync: true });
  let lines = "";
  let exiting = false;
  const flush = () => {
    const text = lines;
    lines = "";
    if (text) out.write(text);
  };
  process.on("exit", () => {
    exiting = true;
    flush();
  });
  return {
    write(line: string) {
      // At exit no later turn comes: what exit handlers log goes out at once.
      if (exiting) return out.write(line);
      if (!lines) setImmediate(flush);
      lines += line;
    },
  };
}

/**
 * JSON logs; credentials never reach them. Every logger of the process shares one stdout buffer. A
 * line logged while a request or an event is handled carries its correlationId and traceId (from the
 * active context, so the loggers a context was given at start carry them too). A destination other
 * than standard output is for tests.
 */
export function createLogger(level: string, name = "mypay", destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    mixin: () => correlationFields(),
    // The line's own fields win; a line outside any request or event costs no object.
    mixinMergeStrategy: (line: object, ids: object) => (ids === none ? line : Object.assign(ids, line)),
    redact: {
      paths: [
        "req.headers.authorization",
        "*.password",
        "*.refreshToken",
        "*.accessToken",
        "password",
        "refreshToken",
      ],
      censor: "***",
    },
  };
  if (level === "silent") return pino(options);
  if (destination) return pino(options, destination);
  stdout ??= turnBufferedStdout();
  return pino(options, stdout);
}

import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

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

/** JSON logs; credentials never reach them. Every logger of the process shares one stdout buffer. */
export function createLogger(level: string, name = "mypay"): Logger {
  const options = {
    name,
    level,
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
  stdout ??= turnBufferedStdout();
  return pino(options, stdout);
}

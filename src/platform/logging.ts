import pino, { type Logger } from "pino";

export type { Logger };

/** JSON logs; credentials never reach them. */
export function createLogger(level: string, name = "mypay"): Logger {
  return pino({
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
  });
}

import { randomBytes } from "node:crypto";
import { connect } from "nats";
import type { EventBus } from "../platform/bus/bus.js";
import { createInProcessBus } from "../platform/bus/in-process.js";
import { connectNatsBus } from "../platform/bus/nats.js";
import { createLogger } from "../platform/logging.js";

/** Set by `npm run test:distributed`: run the same tests on a real NATS JetStream server. */
export const testBusUrl = process.env.MYPAY_TEST_BUS_URL || undefined;

export interface TestBus extends EventBus {
  /** The subject prefix of the test stream (NATS only), for publishing raw messages. */
  readonly subjectPrefix?: string;
}

/**
 * A fresh bus for one test: in-process by default, or NATS on a stream and subject prefix of its
 * own (deleted again by close()), so tests running at the same time never see each other's events.
 */
export async function openTestBus(): Promise<TestBus> {
  const logger = createLogger(process.env.MYPAY_LOG_LEVEL ?? "silent", "test-bus");
  if (!testBusUrl) return createInProcessBus(logger);
  const name = `test_${randomBytes(6).toString("hex")}`;
  const url = testBusUrl;
  const bus = await connectNatsBus({ url, stream: name, subjectPrefix: name, logger });
  let closed: Promise<void> | undefined;
  async function closeAndDelete() {
    await bus.close();
    const nc = await connect({ servers: url });
    try {
      await (await nc.jetstreamManager()).streams.delete(name);
    } finally {
      await nc.close();
    }
  }
  return { ...bus, subjectPrefix: name, close: () => (closed ??= closeAndDelete()) };
}

/** Polls until check passes: delivery through a broker is asynchronous. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

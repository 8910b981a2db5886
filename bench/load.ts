// The load generator: keep-alive HTTP/1.1 on raw sockets, one connection per client, requests written
// from a prebuilt string and answers parsed only as far as status and body. It costs a fraction of
// what fetch or node:http cost per request, so at tens of thousands of requests a second the server,
// not the loader, is what is measured. The server runs in another process (bench/server-process.ts).
import { connect, type Socket } from "node:net";

export interface LoadRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface LoadAnswer {
  readonly status: number;
  readonly body: string;
}

const headerEnd = Buffer.from("\r\n\r\n");

/** The request as bytes on the wire; JSON body, keep-alive by HTTP/1.1's default. */
function encode(host: string, r: LoadRequest): string {
  const body = r.body === undefined ? "" : JSON.stringify(r.body);
  let head = `${r.method} ${r.path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [k, v] of Object.entries(r.headers ?? {})) head += `${k}: ${v}\r\n`;
  if (body) head += `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
  return `${head}\r\n${body}`;
}

/** Status and content-length from a header block; chunked answers are not expected from Fastify. */
function parseHead(head: string): { status: number; length: number } {
  const status = Number(head.slice(9, 12));
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (!m) throw new Error(`answer without content-length: ${head.slice(0, 200)}`);
  return { status, length: Number(m[1]) };
}

/** One keep-alive connection carrying one request at a time. */
export class Connection {
  private readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (a: LoadAnswer) => void; reject: (e: Error) => void } | undefined;
  private readonly opened: Promise<void>;

  constructor(private readonly url: URL) {
    this.socket = connect({ host: url.hostname, port: Number(url.port) });
    this.socket.setNoDelay(true);
    this.opened = new Promise((resolve, reject) => {
      this.socket.once("connect", resolve);
      this.socket.once("error", reject);
    });
    this.socket.on("data", (chunk) => this.receive(chunk));
    this.socket.on("error", (e) => this.fail(e));
    this.socket.on("close", () => this.fail(new Error("connection closed")));
  }

  async send(r: LoadRequest): Promise<LoadAnswer> {
    await this.opened;
    if (this.waiting) throw new Error("one request at a time per connection");
    const answer = new Promise<LoadAnswer>((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
    this.socket.write(encode(this.url.host, r));
    return answer;
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const end = this.buffer.indexOf(headerEnd);
    if (end < 0 || !this.waiting) return;
    const { status, length } = parseHead(this.buffer.toString("latin1", 0, end));
    const total = end + 4 + length;
    if (this.buffer.length < total) return;
    const body = this.buffer.toString("utf8", end + 4, total);
    this.buffer = this.buffer.subarray(total);
    const w = this.waiting;
    this.waiting = undefined;
    w.resolve({ status, body });
  }

  private fail(e: Error) {
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }
}

/** The q-quantile (0..1) of latencies in ms. */
export function quantile(sorted: Float64Array | readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export interface LoadResult {
  readonly clients: number;
  readonly seconds: number;
  readonly ok: number;
  readonly failed: number;
  /** Answers that met `ok`, per second. */
  readonly rate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The loader's own CPU over the load, in % of one core: near 100 means the loader, not the server, was the limit. */
  readonly loaderCpuPercent: number;
  /** The first unexpected answer, to say why a figure is low. */
  readonly firstFailure?: string;
}

export interface ClosedLoopOptions {
  readonly url: string;
  readonly clients: number;
  readonly seconds: number;
  /** Run this long first, uncounted, so the JIT and the pools are warm. */
  readonly warmupSeconds?: number;
  /** The n-th request of the run (n never repeats, so it can make idempotency keys). */
  readonly request: (n: number) => LoadRequest;
  readonly ok: (a: LoadAnswer) => boolean;
}

// Request numbers go on across every load of the run, so keys made from them never repeat: a repeated
// idempotency key would be answered from the store, cheaply, and flatter the figure.
let n = 0;

/** Closed loop: each client sends its next request as soon as its last one is answered. */
export async function closedLoop(o: ClosedLoopOptions): Promise<LoadResult> {
  const url = new URL(o.url);
  const connections = Array.from({ length: o.clients }, () => new Connection(url));
  let ok = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  const latencies: number[] = [];
  const warmEnd = performance.now() + (o.warmupSeconds ?? 0) * 1000;
  const end = warmEnd + o.seconds * 1000;
  let cpuAtWarmEnd: NodeJS.CpuUsage | undefined;
  const client = async (c: Connection) => {
    for (let now = performance.now(); now < end; now = performance.now()) {
      const a = await c.send(o.request(n++));
      const done = performance.now();
      if (now < warmEnd) continue;
      cpuAtWarmEnd ??= process.cpuUsage();
      if (o.ok(a)) {
        ok++;
        latencies.push(done - now);
      } else {
        failed++;
        firstFailure ??= `${a.status} ${a.body.slice(0, 300)}`;
      }
    }
  };
  try {
    await Promise.all(connections.map(client));
  } finally {
    for (const c of connections) c.close();
  }
  const seconds = (performance.now() - warmEnd) / 1000;
  const cpu = process.cpuUsage(cpuAtWarmEnd);
  const sorted = Float64Array.from(latencies).sort();
  return {
    clients: o.clients,
    seconds,
    ok,
    failed,
    rate: ok / seconds,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    loaderCpuPercent: cpuAtWarmEnd ? (cpu.user + cpu.system) / 1e4 / seconds : Number.NaN,
    ...(firstFailure ? { firstFailure } : {}),
  };
}

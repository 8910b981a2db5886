import { mkdir, open, readFile, truncate } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * The sandbox bank's durable memory: an append-only file of JSON lines, one per change, fsynced
 * before the change is answered. A second embedded database would cost the process group ~400 MB
 * and seconds of start-up (issue 6, item 20); a bank's few changes need no more than this.
 */
export interface Journal {
  /** Queues one entry; it is on disk once `durable()` resolves. */
  append(entry: object): void;
  /** Resolves once every entry appended so far is on disk; rejects for good after a failed write. */
  durable(): Promise<void>;
  close(): Promise<void>;
}

/** For tests and a bank without a data folder: forgets everything at exit. */
export function memoryJournal(): Journal {
  return { append() {}, durable: () => Promise.resolve(), close: () => Promise.resolve() };
}

/**
 * Opens (or creates) the journal and returns its entries in order. A torn last line, left by a crash
 * in the middle of a write that was never answered, is dropped and cut off; damage anywhere else stops
 * the bank rather than guessing at balances.
 */
export async function openJournal(file: string): Promise<{ journal: Journal; entries: unknown[] }> {
  await mkdir(dirname(file), { recursive: true });
  const { entries, goodBytes, size } = parse(await readFile(file).catch(missingIsEmpty), file);
  if (goodBytes < size) await truncate(file, goodBytes);
  const handle = await open(file, "a");
  if (size === 0) await syncDir(dirname(file));
  return { journal: fileJournal(handle), entries };
}

const missingIsEmpty = (error: NodeJS.ErrnoException) => {
  if (error.code === "ENOENT") return Buffer.alloc(0);
  throw error;
};

function parse(data: Buffer, file: string) {
  const entries: unknown[] = [];
  let goodBytes = 0;
  let damagedAt: number | undefined;
  for (let start = 0, line = 1; start < data.length; line++) {
    const end = data.indexOf(0x0a, start);
    const text = data.subarray(start, end === -1 ? data.length : end).toString("utf8");
    const entry = end === -1 ? undefined : tryParse(text);
    if (entry === undefined) {
      damagedAt ??= line;
    } else {
      if (damagedAt !== undefined) throw new Error(`${file} is damaged at line ${damagedAt}`);
      entries.push(entry);
      goodBytes = end + 1;
    }
    start = end === -1 ? data.length : end + 1;
  }
  return { entries, goodBytes, size: data.length };
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) ?? undefined;
  } catch {
    return undefined;
  }
}

/** A new file's name must survive a crash too: fsync its folder once. */
async function syncDir(dir: string) {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

type Handle = Awaited<ReturnType<typeof open>>;

/**
 * Group commit: entries that arrive while a write is on its way to disk wait together for the next
 * one, so a burst of transfers costs one fsync, not one each.
 */
function fileJournal(handle: Handle): Journal {
  let queued: string[] = [];
  let scheduled = false;
  let chain: Promise<void> = Promise.resolve();

  const flush = async () => {
    scheduled = false;
    const data = queued.join("");
    queued = [];
    await handle.appendFile(data, "utf8");
    await handle.datasync();
  };

  return {
    append(entry) {
      queued.push(`${JSON.stringify(entry)}\n`);
    },
    durable() {
      // The flush last scheduled takes every entry queued before it starts: wait for that one.
      if (queued.length > 0 && !scheduled) {
        scheduled = true;
        chain = chain.then(flush);
      }
      return chain;
    },
    async close() {
      await this.durable().catch(() => {});
      await handle.close();
    },
  };
}

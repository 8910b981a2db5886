/**
 * Work for requests that arrive together, done once for all of them (group commit, batched reads).
 * A lone request waits for no timer, only for one turn of the event loop, so that requests read from
 * sockets meanwhile (PGlite runs a statement without yielding) join it; requests that arrive while a
 * batch runs form the next one. `run` settles every item of its batch itself and must not throw.
 */
export function coalesce<T>(run: (batch: T[]) => Promise<void>, maxBatch = Number.POSITIVE_INFINITY) {
  const queue: T[] = [];
  let scheduled = false;
  async function drain() {
    try {
      while (queue.length > 0) await run(queue.splice(0, maxBatch));
    } finally {
      scheduled = false;
    }
  }
  return (item: T): void => {
    queue.push(item);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void drain());
  };
}

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

/**
 * A function whose calls that arrive together are made as one (`run` over all their inputs, in
 * order, answering one output per input); each caller gets its own output, and every caller of a
 * batch whose `run` throws gets that error.
 */
export function coalesceCalls<I, O>(
  run: (inputs: I[]) => Promise<O[]>,
  maxBatch = Number.POSITIVE_INFINITY,
): (input: I) => Promise<O> {
  interface Call {
    readonly input: I;
    readonly resolve: (output: O) => void;
    readonly reject: (error: unknown) => void;
  }
  const enqueue = coalesce<Call>(async (batch) => {
    try {
      const outputs = await run(batch.map((c) => c.input));
      for (const [i, c] of batch.entries()) c.resolve(outputs[i]!);
    } catch (error) {
      for (const c of batch) c.reject(error);
    }
  }, maxBatch);
  return (input) => new Promise<O>((resolve, reject) => enqueue({ input, resolve, reject }));
}

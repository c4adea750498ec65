// Work done while a request's body still arrives, handed on only once it has: an import checks
// its first entries during the upload, yet opens its transaction after the last byte, so that
// a slow client never holds the writer.

/**
 * The source's items, none handed on before `arrived` settles; until then up to `limit` are
 * taken from the source ahead of time (after that the source waits). A failure of the source,
 * or of `arrived`, is thrown where the next item would be.
 */
export async function* aheadOfArrival<T>(source: AsyncIterable<T>, arrived: Promise<void>, limit: number): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const taken: T[] = [];
  let hasArrived = false;
  const settled = arrived.then(
    () => (hasArrived = true),
    () => (hasArrived = true),
  );
  let pending: Promise<IteratorResult<T>> | undefined;
  let finished = false;
  try {
    while (!hasArrived && taken.length < limit) {
      if (pending === undefined) {
        pending = iterator.next();
        // Should the body fail first, this one is never awaited: its failure is that one's.
        pending.catch(() => undefined);
      }
      // Whichever first: the next item, or the body's end (the item then stays pending).
      const first = await Promise.race([pending, settled.then(() => undefined)]);
      if (first === undefined) break;
      pending = undefined;
      if (first.done === true) {
        finished = true;
        break;
      }
      taken.push(first.value);
    }
    await arrived;
    yield* taken;
    taken.length = 0;
    if (finished) return;
    if (pending !== undefined) {
      const first = await pending;
      if (first.done === true) {
        finished = true;
        return;
      }
      yield first.value;
    }
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
    finished = true;
  } finally {
    // Left early (refused, or the reader stopped): the source stops too; with an item still
    // asked for it stops once that one comes (its failure, if any, is the one thrown here).
    if (!finished) {
      const stopping = iterator.return?.(undefined);
      if (pending === undefined) await stopping;
      else stopping?.catch(() => undefined);
    }
  }
}

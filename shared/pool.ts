/**
 * The project's one bounded pool: parallel maps without a queue of pending calls (Proposal D+E; it began
 * as shared/audit/bounded.ts and sits at the bottom so the audit, the backfill, the pre-flight and the
 * gateways share it). `concurrency` workers pull the next item, so the machinery costs
 * O(concurrency) memory, where p-limit holds a promise, two closures, a context and a queue node per
 * waiting item (about 2 KB each: 250 MB of heap with 100,000 buckets queued at once). Results keep input
 * order. With `mapPaged`, items arrive page by page and work starts with the first page.
 */

export interface BoundedOptions {
  /**
   * Asked before each item is started; once it says no, no worker starts another item (those in flight
   * end), and the items never started have no result (a hole in the array). Default: always yes.
   */
  canStart?: () => boolean;
}

export interface PagedMapOptions extends BoundedOptions {
  /** Called once when the last page has arrived, with the number of items. */
  onListed?: (count: number) => void;
}

/**
 * Maps the items of `pages` with at most `concurrency` calls of `fn` in flight, starting as soon as the
 * first page arrives. `fn` gets the item, its index and the number of items seen so far. If reading the
 * pages fails, no further item is started and the map rejects with that error once the calls in flight
 * have ended; if `fn` rejects, the map rejects (as `Promise.all`).
 */
export async function mapPaged<T, R>(
  pages: AsyncIterable<readonly T[]>,
  concurrency: number,
  fn: (item: T, index: number, seen: number) => Promise<R>,
  opts: PagedMapOptions = {},
): Promise<R[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a whole number >= 1, got ${concurrency}`);
  }
  const items: T[] = [];
  const results: R[] = [];
  let next = 0;
  let listed = false;
  let failure: { error: unknown } | undefined;
  let sleepers: Array<() => void> = [];
  const wakeAll = () => {
    const woken = sleepers;
    sleepers = [];
    for (const wake of woken) wake();
  };
  const produce = async () => {
    try {
      for await (const page of pages) {
        for (const item of page) items.push(item);
        wakeAll();
        if (failure) return;
      }
      opts.onListed?.(items.length);
    } catch (error) {
      failure = { error };
    } finally {
      listed = true;
      wakeAll();
    }
  };
  const work = async () => {
    for (;;) {
      if (failure) return;
      if (opts.canStart && !opts.canStart()) return;
      if (next < items.length) {
        const i = next;
        next += 1;
        try {
          results[i] = await fn(items[i] as T, i, items.length);
        } catch (error) {
          failure ??= { error };
          return;
        }
        continue;
      }
      if (listed) return;
      await new Promise<void>((resolve) => sleepers.push(resolve));
    }
  };
  await Promise.all([produce(), ...Array.from({ length: concurrency }, work)]);
  if (failure) throw failure.error;
  return results;
}

/** `mapPaged` over an array that is already complete. */
export function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
  opts: BoundedOptions = {},
): Promise<R[]> {
  async function* onePage() {
    yield items;
  }
  return mapPaged(onePage(), concurrency, (item, index) => fn(item, index), opts);
}

/**
 * The one key inspector every verdict uses (bucket audit, upload guard, check-object, backfill, bucket
 * watch): DescribeKey through the KMS gateway (which owns retries, as the OSS gateway does), answered
 * once per key reference per region for the life of the inspector (one run, or one invocation), with at
 * most `concurrency` DescribeKey calls in flight. A failure is not remembered: the next caller asks again.
 */
import pLimit from 'p-limit';
import type { KeyInfo, KeyInspector } from './deps.js';

export interface KeyInspectorOptions {
  /** DescribeKey calls in flight at most (default 8). */
  concurrency?: number;
}

const MEMO = Symbol('memoised key inspector');
type Memoised = KeyInspector & { [MEMO]: true };

/**
 * Wraps `kms` so that each (region, reference) is described once; wrapping an inspector this returned
 * gives it back unchanged, so layers (a worker, then the guard it calls) share one cache.
 */
export function memoKms(kms: KeyInspector, opts: KeyInspectorOptions = {}): KeyInspector {
  if ((kms as Partial<Memoised>)[MEMO]) return kms;
  // p-limit, not shared/pool.ts: this bounds calls arriving from independent callers (a semaphore, not
  // a map over a known list), and what waits is one call per distinct key, so its queue stays small.
  const limit = pLimit(Math.max(1, opts.concurrency ?? 8));
  const cache = new Map<string, Promise<KeyInfo>>();
  const memo: Memoised = {
    [MEMO]: true,
    describeKey(ref, region, call) {
      const id = `${region}|${ref}`;
      let p = cache.get(id);
      if (!p) {
        // The first caller's deadline bounds the one call that answers every caller.
        p = limit(() => kms.describeKey(ref, region, call));
        p.catch(() => cache.delete(id));
        cache.set(id, p);
      }
      return p;
    },
  };
  return memo;
}

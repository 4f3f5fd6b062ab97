/**
 * The key check right before a CMK is applied: the pre-flight ran once at the start of the run, and a
 * key disabled or scheduled for deletion since then must not become any more buckets' default. Answers
 * are kept for a short time (by the injected clock) and for a bounded number of keys, so a run over
 * many buckets on one key asks DescribeKey about once per `maxAgeMs`, never once per run.
 */
import type { Clock, KeyCallOptions, KeyInspector } from './deps.js';
import type { KeyCheck } from './plan.js';
import { keyCheckId } from './plan.js';
import { checkKey } from './preflight.js';

export interface KeyRecheckOptions {
  /** How long an answer is trusted (default 10 s; 0: ask before every change). */
  maxAgeMs?: number;
  /** Keys remembered at most (default 256; the oldest is forgotten first). */
  maxEntries?: number;
}

export type KeyRechecker = (ref: string, region: string, call?: KeyCallOptions) => Promise<KeyCheck>;

export function keyRechecker(kms: KeyInspector, clock: Clock, opts: KeyRecheckOptions = {}): KeyRechecker {
  const maxAgeMs = opts.maxAgeMs ?? 10_000;
  const maxEntries = Math.max(1, opts.maxEntries ?? 256);
  const cache = new Map<string, { at: number; check: Promise<KeyCheck> }>();
  return (ref, region, call) => {
    const id = keyCheckId(region, ref);
    const now = clock.now().getTime();
    const hit = cache.get(id);
    if (hit && now - hit.at < maxAgeMs) return hit.check;
    cache.delete(id);
    const check = checkKey(kms, ref, region, undefined, call);
    cache.set(id, { at: now, check });
    while (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
    return check;
  };
}

/**
 * Shared set-up of the backfill tests: buckets seeded straight into the OSS emulator's state (fast: no
 * HTTP), the functions registered in the FC emulator as Function Compute 3.0 functions (service ''), and
 * the environment the handlers read pointed at the emulators.
 */
import { createHash } from 'node:crypto';
import { vi } from 'vitest';
import type { Emulators } from '../../emulator/index.js';
import { createHandler as createWorkerHandler } from '../../functions/backfill-worker/index.js';
import type { FcHandler } from '../../shared/cloud/fc-context.js';
import type { Clock } from '../../shared/ports.js';

/** Policy of the remediating runs: unencrypted objects are encrypted in place with AES256. */
export const ENCRYPT_POLICY = 'version: 1\nobjects:\n  action: encrypt\n  sse: { algorithm: AES256 }\n';
/** Policy of the report-only runs (the default objects section: alert on anything without SSE). */
export const REPORT_POLICY = 'version: 1\nobjects:\n  action: alert\n  exclude: ["tmp/**"]\n';

export const WORKER_FUNCTION = 'oss-sse-guard-backfill-worker';
export const AUDITOR_FUNCTION = 'oss-sse-guard-bucket-auditor';

/** The key of object `i` of a seeded bucket: 20 top-level prefixes, so the planner splits by prefix. */
export function keyOf(i: number): string {
  return `data/${String(i % 20).padStart(2, '0')}/obj-${String(i).padStart(6, '0')}.bin`;
}

/** Whether seeded object `i` is stored without encryption (one in three). */
export const isPlain = (i: number) => i % 3 === 0;

export interface SeedOptions {
  /** Give each object metadata, tags, a content type and stored headers to check after the copy. */
  rich?: boolean;
}

/** Seeds `count` objects (one in three unencrypted, the rest AES256) straight into the emulator. */
export function seedBucket(emu: Emulators, bucket: string, count: number, opts: SeedOptions = {}): void {
  emu.oss.state.createBucket(bucket, 'cn-hangzhou');
  for (let i = 0; i < count; i += 1) {
    emu.oss.state.putObject(bucket, keyOf(i), `object ${i} of ${bucket}`, {
      sse: isPlain(i) ? null : { algorithm: 'AES256' },
      ...(opts.rich
        ? {
            contentType: i % 2 === 0 ? 'application/pdf' : 'image/png',
            meta: { owner: `team-${i % 7}`, index: String(i) },
            tags: { project: 'backfill', n: String(i) },
            headers: { 'cache-control': 'max-age=60' },
          }
        : {}),
    });
  }
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The environment the handlers read: emulator endpoints, the policy, reports in OSS, no env credentials. */
export function stubFunctionEnv(emu: Emulators, policy: string, report: string): void {
  vi.stubEnv('OSS_SSE_GUARD_OSS_ENDPOINT', emu.oss.url);
  vi.stubEnv('OSS_SSE_GUARD_KMS_ENDPOINT', emu.kms.url);
  vi.stubEnv('OSS_SSE_GUARD_FC_ENDPOINT', emu.fc.url);
  vi.stubEnv('OSS_SSE_GUARD_POLICY', policy);
  vi.stubEnv('OSS_SSE_GUARD_REPORT', report);
  vi.stubEnv('DRY_RUN', 'false');
  // The functions must use their context's credentials, never these.
  vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_ID', '');
  vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', '');
  vi.stubEnv('LOG_LEVEL', 'silent');
}

/**
 * A clock that moves only when read: each `now()` is `stepMs` later than the one before. A worker on it
 * does the same amount of work per invocation however busy the machine is, so the number of checkpoints
 * and hand-offs is decided by the work, never by real time.
 */
export function tickingClock(startMs = Date.now(), stepMs = 1): Clock {
  let t = startMs;
  return {
    now: () => {
      t += stepMs;
      return new Date(t);
    },
  };
}

/**
 * The real backfill-worker handler on virtual time: each invocation gets its own ticking clock and a
 * deadline `budgetMs` ticks ahead of it. Register it with a real timeout far above what a step takes
 * (the emulator's timer is a safety net, not the budget).
 */
export function workerOnVirtualTime(budgetMs: number): FcHandler {
  return (event, context) => {
    const clock = tickingClock();
    return createWorkerHandler({ clock })(event, {
      ...context,
      deadlineMs: clock.now().getTime() + budgetMs,
    });
  };
}

/**
 * Case 2: the emulator caps GetBucketEncryption at Q requests/s (503 MetaOperationQpsLimitExceeded above
 * it, sliding one-second window). Sustained throughput = reads completed after the first second of reading
 * / the time from then to the last read, as a share of Q: the first second is left out because an empty
 * window admits a burst of Q at once. Lost = buckets reported `error`. The scanner as shipped: the gateway
 * runs every attempt through its adaptive limit (shared/cloud/adaptive-limit.ts, built by buildRuntime).
 */

import type { AuditOss } from '../../shared/audit/deps.js';
import { runAudit } from '../../shared/audit/run.js';
import type { OssGatewayOptions } from '../../shared/cloud/oss.js';
import type { Report } from '../../shared/model.js';
import { policyFromText } from '../../shared/policy/load.js';
import { benchRuntime } from '../auditor.js';
import type { EmulatorProcess } from '../emulator-process.js';
import { measure, type Row, round } from '../measure.js';
import { REGIONS } from '../seed-names.js';

export interface ThrottleOptions {
  buckets: number;
  capQps: number;
  concurrency: number;
  latencyMs: number;
}

const POLICY = policyFromText('version: 1\n', 'bench: version 1');

/** The gateway with the completion time of every successful read recorded. */
function timedReads(oss: AuditOss): { oss: AuditOss; done: number[] } {
  const done: number[] = [];
  const timed = Object.create(oss) as AuditOss;
  timed.getBucketEncryption = async (b, retry) => {
    const observed = await oss.getBucketEncryption(b, retry);
    done.push(performance.now());
    return observed;
  };
  return { oss: timed, done };
}

/** Reads per second after the first second of reading (steady state), or NaN when the run was shorter. */
function sustainedRate(done: readonly number[]): number {
  const first = done[0];
  const last = done[done.length - 1];
  if (first === undefined || last === undefined || last - first <= 1500) return Number.NaN;
  const from = first + 1000;
  return done.filter((t) => t > from).length / ((last - from) / 1000);
}

export async function throttleCase(
  emu: EmulatorProcess,
  opts: ThrottleOptions,
): Promise<{ rows: Row[]; figures: Record<string, number | null> }> {
  const { buckets: n, capQps: q, concurrency: c, latencyMs: l } = opts;
  await emu.seed(n, REGIONS, 'thr');
  await emu.setFault('*', { latencyMs: l });
  await emu.setFault('GetBucketEncryption', { latencyMs: l, maxQps: q });
  // An empty rate window at the start, as in a real account that was idle before the audit.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const runtime = benchRuntime(emu);
  const timed = timedReads(runtime.oss);
  const before = (await emu.stats()).counts.GetBucketEncryption ?? 0;
  const m = await measure(emu, () =>
    runAudit({ ...runtime, oss: timed.oss }, { policy: POLICY, dryRun: true, prefix: 'thr', concurrency: c }),
  );
  const report: Report = m.value;
  const requests = ((await emu.stats()).counts.GetBucketEncryption ?? 0) - before;
  const share = sustainedRate(timed.done) / q;
  // The gateway keeps its options private; the bench reads the limit's counters for the note only.
  const limit = (runtime.oss as unknown as { core: { opts: OssGatewayOptions } }).core.opts.limit;
  const limitNote = limit
    ? `; adaptive limit ended at ${limit.limit} (lowest ${limit.stats.lowest}, ${limit.stats.decreases} cuts)`
    : '';
  return {
    rows: [
      {
        case: `throttle Q=${q}/s, ${n} buckets, C=${c}, L=${l} ms: as shipped`,
        wallMs: m.wallMs,
        boundMs: (n / q) * 1000,
        ratio: share,
        auditorCpuMs: m.auditorCpuMs,
        emulatorCpuMs: m.emulatorCpuMs,
        note: `ratio = share of Q (target >= 0.9); ${report.summary.byStatus.error} lost; ${requests - n} throttled requests${limitNote}`,
      },
    ],
    figures: {
      'throttle.capQps': q,
      'throttle.buckets': n,
      'throttle.shareOfCap': round(share, 3),
      'throttle.lost': report.summary.byStatus.error,
      'throttle.throttledRequests': requests - n,
    },
  };
}

/**
 * Case 3: the emulator caps GetBucketEncryption at Q requests/s (503 MetaOperationQpsLimitExceeded above
 * it, sliding one-second window). Sustained throughput = reads completed after the first second of reading
 * / the time from then to the last read, as a share of Q: the first second is left out because an empty
 * window admits a burst of Q at once. Lost = buckets reported `error`. The scanner as shipped, then with the
 * adaptive limit (shared/cloud/adaptive-limit.ts) around each attempt, as Proposal C integrates it.
 */

import type { AuditOss } from '../../shared/audit/deps.js';
import { runAudit } from '../../shared/audit/run.js';
import type { AdaptiveLimit } from '../../shared/cloud/adaptive-limit.js';
import type { Report } from '../../shared/model.js';
import { policyFromText } from '../../shared/policy/load.js';
import { benchRuntime, type GatewayVariant } from '../auditor.js';
import type { EmulatorProcess } from '../emulator-process.js';
import { measure, type Row, round } from '../measure.js';
import { ossAdaptiveLimit } from '../proposals/limited-gateway.js';
import { REGIONS } from '../seed-names.js';

export interface ThrottleOptions {
  buckets: number;
  capQps: number;
  concurrency: number;
  latencyMs: number;
}

interface Run {
  label: string;
  variant: GatewayVariant;
  limit?: AdaptiveLimit;
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
  const runs: Run[] = [
    { label: 'as shipped', variant: 'stock' },
    { label: 'adaptive limit (proposal C)', variant: 'stock', limit: ossAdaptiveLimit() },
    { label: 'adaptive limit + direct GET (C + B)', variant: 'direct', limit: ossAdaptiveLimit() },
  ];
  const rows: Row[] = [];
  const figures: Record<string, number | null> = { 'throttle.capQps': q, 'throttle.buckets': n };
  for (const run of runs) {
    // A fresh window per run: the cap is a rate, and the previous run's requests must not count.
    await emu.setFault('GetBucketEncryption', { latencyMs: l, maxQps: q });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const runtime = benchRuntime(emu, { variant: run.variant, ...(run.limit ? { limit: run.limit } : {}) });
    const timed = timedReads(runtime.oss);
    const before = (await emu.stats()).counts.GetBucketEncryption ?? 0;
    const m = await measure(emu, async () => {
      return runAudit(
        { ...runtime, oss: timed.oss },
        { policy: POLICY, dryRun: true, prefix: 'thr', concurrency: c },
      );
    });
    const report: Report = m.value;
    const requests = ((await emu.stats()).counts.GetBucketEncryption ?? 0) - before;
    const share = sustainedRate(timed.done) / q;
    const limitNote = run.limit
      ? `, limit ended at ${run.limit.limit} (lowest ${run.limit.stats.lowest}, ${run.limit.stats.decreases} cuts)`
      : '';
    rows.push({
      case: `throttle Q=${q}/s, ${n} buckets, C=${c}: ${run.label}`,
      wallMs: m.wallMs,
      boundMs: (n / q) * 1000,
      ratio: share,
      auditorCpuMs: m.auditorCpuMs,
      emulatorCpuMs: m.emulatorCpuMs,
      note: `ratio = share of Q (target >= 0.9); ${report.summary.byStatus.error} lost; ${requests - n} throttled requests${limitNote}`,
    });
    const key = run.limit
      ? run.variant === 'direct'
        ? 'throttle.proposals.adaptiveDirect'
        : 'throttle.proposals.adaptive'
      : 'throttle';
    figures[`${key}.shareOfCap`] = round(share, 3);
    figures[`${key}.lost`] = report.summary.byStatus.error;
    figures[`${key}.throttledRequests`] = requests - n;
  }
  return { rows, figures };
}

/**
 * Case 1: a full audit (dry run) of N buckets in 8 regions at concurrency C with latency L on every
 * request, against the physical bound `pages x L + N x L / C`, as shipped; optionally also with the
 * not-adopted hand-signed GET (bench/not-adopted/), checked to give the same verdicts. Variants run in
 * interleaved rounds and the median run is reported. Then the documentation samples' sequential way,
 * measured on a sample and scaled per bucket, and the speed-up.
 */
import { runAudit } from '../../shared/audit/run.js';
import type { Report } from '../../shared/model.js';
import { policyFromText } from '../../shared/policy/load.js';
import { benchRuntime, type GatewayVariant } from '../auditor.js';
import type { EmulatorProcess } from '../emulator-process.js';
import { type Measured, measure, type Row, round } from '../measure.js';
import { REGIONS } from '../seed-names.js';
import { sequentialScan } from './sequential.js';

export interface ScanVariant {
  /** `shipped` for the product as built; otherwise its key under `scan.` in results.json. */
  key: string;
  label: string;
  gateway: GatewayVariant;
}

export interface ScanOptions {
  buckets: number;
  concurrency: number;
  latencyMs: number;
  sequentialSample: number;
  variants: ScanVariant[];
  /** Measured runs per variant, interleaved; the median is reported (the machine is shared and noisy). */
  repeat: number;
}

type Figures = Record<string, number | boolean | null>;

const POLICY = policyFromText('version: 1\n', 'bench: version 1');
const PAGE_SIZE = 1000;

/** bucket -> status and observed configuration: what must not change between variants. */
function verdicts(report: Report): Map<string, string> {
  return new Map(report.findings.map((f) => [f.bucket, `${f.status} ${JSON.stringify(f.observed)}`]));
}

function sameVerdicts(a: Report, b: Report): boolean {
  const va = verdicts(a);
  const vb = verdicts(b);
  return va.size === vb.size && [...va].every(([k, v]) => vb.get(k) === v);
}

/** results.json prefix of a variant's figures: `scan.*` as shipped, `scan.<key>.*` otherwise. */
const prefixOf = (v: ScanVariant) => (v.key === 'shipped' ? 'scan' : `scan.${v.key}`);

export async function scanCase(
  emu: EmulatorProcess,
  opts: ScanOptions,
): Promise<{ rows: Row[]; figures: Figures }> {
  const { buckets: n, concurrency: c, latencyMs: l } = opts;
  // Half the KMS buckets name a CMK of their region: the audit describes each key once per region.
  await emu.seed(n, REGIONS, 'bkt', true);
  await emu.seed(opts.sequentialSample, REGIONS, 'seq');
  await emu.setFault('*', { latencyMs: l });
  const pages = Math.ceil(n / PAGE_SIZE);
  const boundMs = pages * l + (n * l) / c;
  type Runtime = ReturnType<typeof benchRuntime>;
  const audit = (runtime: Runtime, prefix: string) =>
    runAudit(runtime, { policy: POLICY, dryRun: true, prefix, concurrency: c });
  // One unmeasured full audit first, so neither process is measured cold (JIT, sockets, clients).
  await audit(benchRuntime(emu), 'bkt');

  const rows: Row[] = [];
  const figures: Figures = {};
  const ready: Array<{ v: ScanVariant; runtime: Runtime }> = [];
  for (const v of opts.variants) {
    const runtime = benchRuntime(emu, { variant: v.gateway });
    await audit(runtime, 'seq');
    ready.push({ v, runtime });
  }
  const runs = new Map<string, Array<Measured<Report>>>();
  for (let pass = 0; pass < opts.repeat; pass += 1) {
    // Rotate the order each round, so no variant always runs first (or after the same neighbour).
    for (let k = 0; k < ready.length; k += 1) {
      const r = ready[(k + pass) % ready.length];
      if (!r) continue;
      const m = await measure(emu, () => audit(r.runtime, 'bkt'));
      runs.set(r.v.key, [...(runs.get(r.v.key) ?? []), m]);
    }
  }
  const median = (ms: Array<Measured<Report>>) =>
    [...ms].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(ms.length / 2)] as Measured<Report>;
  const shipped = runs.get('shipped')?.[0];
  const measured: Array<[ScanVariant, Measured<Report>]> = [];
  for (const { v } of ready) {
    const all = runs.get(v.key) ?? [];
    const m = median(all);
    measured.push([v, m]);
    const same =
      shipped && v.key !== 'shipped' ? all.every((x) => sameVerdicts(shipped.value, x.value)) : undefined;
    const spread = all.length > 1 ? `, runs ${all.map((x) => Math.round(x.wallMs)).join('/')} ms` : '';
    rows.push({
      case: `scan ${n} buckets, C=${c}, L=${l} ms: ${v.label}`,
      wallMs: m.wallMs,
      boundMs,
      ratio: m.wallMs / boundMs,
      auditorCpuMs: m.auditorCpuMs,
      emulatorCpuMs: m.emulatorCpuMs,
      note: `${m.value.findings.length} findings, ${m.value.summary.byStatus.error} errors, ${round(m.auditorCpuMs / n, 3)} ms CPU/bucket${same === undefined ? '' : same ? ', same verdicts' : ', VERDICTS DIFFER'}${spread}`,
    });
    const prefix = prefixOf(v);
    figures[`${prefix}.ratioToBound`] = round(m.wallMs / boundMs, 3);
    figures[`${prefix}.wallMs`] = round(m.wallMs, 1);
    figures[`${prefix}.auditorCpuMsPerBucket`] = round(m.auditorCpuMs / n, 4);
    figures[`${prefix}.emulatorCpuMsPerBucket`] = round(m.emulatorCpuMs / n, 4);
    if (same !== undefined) figures[`${prefix}.sameVerdicts`] = same;
  }

  const seq = await measure(emu, () => sequentialScan(emu, 'seq'));
  const perBucketMs = (seq.wallMs - l) / opts.sequentialSample;
  const scaledMs = pages * l + n * perBucketMs;
  rows.push({
    case: `sequential (docs sample), ${opts.sequentialSample} buckets measured, scaled to ${n}`,
    wallMs: scaledMs,
    boundMs: pages * l + n * l,
    ratio: scaledMs / (pages * l + n * l),
    auditorCpuMs: (seq.auditorCpuMs / opts.sequentialSample) * n,
    emulatorCpuMs: (seq.emulatorCpuMs / opts.sequentialSample) * n,
    note: `${round(perBucketMs, 2)} ms per bucket; the sample took ${Math.round(seq.wallMs)} ms`,
  });
  const speedups: string[] = [];
  for (const [v, m] of measured) {
    figures[`${prefixOf(v)}.speedupVsSequential`] = round(scaledMs / m.wallMs, 2);
    speedups.push(`${round(scaledMs / m.wallMs, 1)}x ${v.key === 'shipped' ? 'as shipped' : `(${v.key})`}`);
  }
  rows.push({
    case: 'speed-up vs sequential (target >= 50x)',
    wallMs: null,
    note: speedups.join(', '),
  });
  Object.assign(figures, {
    'scan.buckets': n,
    'scan.concurrency': c,
    'scan.latencyMs': l,
    'scan.pages': pages,
    'scan.boundMs': round(boundMs, 1),
    'scan.sequentialMsPerBucket': round(perBucketMs, 3),
    'scan.sequentialScaledMs': round(scaledMs, 1),
  });
  return { rows, figures };
}

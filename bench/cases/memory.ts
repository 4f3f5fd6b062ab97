/**
 * Case 4: peak RSS of a 100,000-bucket audit with its reports written, measured on what is deployed: the
 * bucket-auditor bundle exactly as `npm run build` makes it (scripts/build.ts), invoked on a timer event
 * in a Node process of its own (bench/memory-child.cjs) with the function's environment: dry run, the
 * formats the function publishes (json, html, csv, md, manifest, latest.json) written to
 * `oss://bench-reports/<config>` in the emulator process, so report bytes held by the emulator are not
 * counted. Bucket names are 25 characters (`audit-memory-bench-000042`), as real names run: names of 13
 * characters or more are where V8 string slices can pin whole ListBuckets pages. The V8 heap cap comes
 * from s.yaml (bucket-auditor `NODE_OPTIONS`), or is set by the configuration. Each configuration runs
 * three times against the same report location, and the largest peak counts: a first run (no previous
 * report), a second (its previous report is the baseline, whose drift lists every bucket as appeared:
 * the largest `latest.json` there is) and a third (steady state).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { EmulatorProcess } from '../emulator-process.js';
import { REPO } from '../emulator-process.js';
import { type Row, round } from '../measure.js';
import { REGIONS } from '../seed-names.js';

/** The runs of each configuration, in order, against one report location. */
const RUNS = [
  ['first run', 'firstRun'],
  ['second run (after the baseline)', 'secondRun'],
  ['third run (steady state)', 'steadyState'],
] as const;

/** The seeded buckets' name prefix: 25-character names. */
const PREFIX = 'audit-memory-bench';

export interface MemoryConfig {
  /** Key under `memory.` in results.json (`deployed` is reported as `memory.*` itself). */
  key: string;
  label: string;
  /** Node flags of the child (e.g. `--max-old-space-size=384`). */
  nodeFlags: string[];
  /** Where the function writes its reports: OSS in the emulator (as deployed), or a local folder. */
  store: 'oss' | 'local';
  /** Environment of the process beyond the function's own settings (s.yaml's `MALLOC_*`). */
  env?: Record<string, string>;
}

/** The bound on the deployed peak (issue 19: at most 200 MB, with room for findings to grow). */
export const DEPLOYED_TARGET_MB = 200;

interface ChildResult {
  ok: boolean;
  error?: string;
  summary?: { total: number; byStatus: Record<string, number>; reports: string[] };
  beforeLoadRssMB?: number;
  peakRssMB?: number;
  wallMs?: number;
  cpuMs?: number;
  /** [epoch ms, rss MB, heap used MB, external + array buffers MB]. */
  samples: Array<[number, number, number, number]>;
}

interface RunFigures {
  peakRssMB: number;
  auditPeakRssMB: number;
  peakHeapUsedMB: number;
  peakExternalMB: number;
  auditMs: number;
  wallMs: number;
  cpuMs: number;
  total: number;
  errors: number;
  reports: number;
}

/**
 * The bucket-auditor's process settings in s.yaml (what is deployed): `NODE_OPTIONS`, the C allocator's
 * `MALLOC_*` variables, and the memory size.
 */
export function deployedNodeOptions(): {
  nodeOptions: string;
  runtimeEnv: Record<string, string>;
  memorySizeMB: number;
} {
  const doc = parse(readFileSync(join(REPO, 's.yaml'), 'utf8'), { merge: true }) as {
    resources?: Record<
      string,
      { props?: { memorySize?: number; environmentVariables?: Record<string, string> } }
    >;
  };
  const props = doc.resources?.['bucket-auditor']?.props;
  const env = props?.environmentVariables ?? {};
  return {
    nodeOptions: env.NODE_OPTIONS ?? '',
    runtimeEnv: Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('MALLOC_'))),
    memorySizeMB: props?.memorySize ?? 0,
  };
}

function runChild(
  bundle: string,
  config: MemoryConfig,
  reportLocation: string,
  emu: EmulatorProcess,
): Promise<ChildResult & { logs: string[] }> {
  const env = {
    ...config.env,
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    OSS_SSE_GUARD_OSS_ENDPOINT: emu.endpoints.oss,
    OSS_SSE_GUARD_KMS_ENDPOINT: emu.endpoints.kms,
    OSS_SSE_GUARD_POLICY: 'version: 1\n',
    OSS_SSE_GUARD_REPORT: reportLocation,
    DRY_RUN: 'true',
    BENCH_CONTEXT_CREDENTIALS: JSON.stringify({
      accessKeyId: emu.endpoints.accessKeyId,
      accessKeySecret: emu.endpoints.accessKeySecret,
    }),
  };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...config.nodeFlags, join(REPO, 'bench', 'memory-child.cjs'), bundle],
      { cwd: REPO, env, timeout: 900_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const lines = stdout.split('\n');
        const last = lines.find((l) => l.startsWith('BENCH_RESULT '));
        // A loaded machine can take minutes per run; the function's own timeout is 600 s.
        const killed = err?.killed ? ` (killed by the bench's 900 s timeout, ${err.signal})` : '';
        if (!last) {
          const oom = /heap out of memory/.test(stderr);
          reject(
            new Error(
              oom ? 'JavaScript heap out of memory' : `${err?.message}${killed}\n${stderr.slice(-2000)}`,
            ),
          );
          return;
        }
        const logs = lines.filter((l) => l.startsWith('{'));
        resolve({ ...(JSON.parse(last.slice('BENCH_RESULT '.length)) as ChildResult), logs });
      },
    );
  });
}

/** Time (epoch ms) of the first log line with this message. */
function logTime(logs: string[], msg: string): number | undefined {
  for (const line of logs) {
    try {
      // The functions' logger stamps ISO times (shared/log.ts); epoch ms is pino's default.
      const rec = JSON.parse(line) as { msg?: string; time?: number | string };
      if (rec.msg === msg) return typeof rec.time === 'string' ? Date.parse(rec.time) : rec.time;
    } catch {
      // Not a log record.
    }
  }
  return undefined;
}

async function runOnce(
  bundle: string,
  config: MemoryConfig,
  reportLocation: string,
  emu: EmulatorProcess,
): Promise<RunFigures> {
  const r = await runChild(bundle, config, reportLocation, emu);
  if (!r.ok || !r.summary) throw new Error(r.error?.split('\n')[0] ?? 'no summary');
  const started = r.samples[0]?.[0] ?? 0;
  const finished = logTime(r.logs, 'audit finished') ?? Number.POSITIVE_INFINITY;
  const max = (i: 1 | 2 | 3, until = Number.POSITIVE_INFINITY) =>
    Math.max(0, ...r.samples.filter((s) => s[0] <= until).map((s) => s[i]));
  return {
    peakRssMB: r.peakRssMB ?? 0,
    auditPeakRssMB: max(1, finished),
    peakHeapUsedMB: max(2),
    peakExternalMB: max(3),
    auditMs: Number.isFinite(finished) ? finished - started : Number.NaN,
    wallMs: r.wallMs ?? 0,
    cpuMs: r.cpuMs ?? 0,
    total: r.summary.total,
    errors: r.summary.byStatus.error ?? 0,
    reports: r.summary.reports.length,
  };
}

export async function memoryCase(
  emu: EmulatorProcess,
  opts: { buckets: number; bundle: string; configs: MemoryConfig[] },
): Promise<{ rows: Row[]; figures: Record<string, number | null> }> {
  // With each region's customer CMK on an eighth of the buckets, so those findings carry the key facts
  // (state, origin, protection) that issue 13 added: the peak is measured on findings as they are now.
  await emu.seed(opts.buckets, REGIONS, PREFIX, true);
  await emu.seedObjects('bench-reports', 'cn-hangzhou', 0, 'none');
  const rows: Row[] = [];
  const figures: Record<string, number | null> = { 'memory.buckets': opts.buckets };
  const work = await mkdtemp(join(tmpdir(), 'oss-sse-guard-bench-reports-'));
  try {
    for (const config of opts.configs) {
      // A location per configuration: its first run has no previous report, its second run has one.
      const location = config.store === 'oss' ? `oss://bench-reports/${config.key}` : join(work, config.key);
      await measureConfig(opts.bundle, config, location, emu, rows, figures);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { rows, figures };
}

async function measureConfig(
  bundle: string,
  config: MemoryConfig,
  location: string,
  emu: EmulatorProcess,
  rows: Row[],
  figures: Record<string, number | null>,
): Promise<void> {
  const key = config.key === 'deployed' ? 'memory' : `memory.${config.key}`;
  const peaks: number[] = [];
  for (const [run, runKey] of RUNS) {
    try {
      const f = await runOnce(bundle, config, location, emu);
      peaks.push(f.peakRssMB);
      rows.push({
        case: `memory, ${config.label}, ${run}`,
        wallMs: f.wallMs,
        auditorCpuMs: f.cpuMs,
        note: `peak RSS ${round(f.peakRssMB, 1)} MB (${round(f.auditPeakRssMB, 1)} until the audit finished at ${Math.round(f.auditMs)} ms); heap used <= ${round(f.peakHeapUsedMB, 1)} MB, external <= ${round(f.peakExternalMB, 1)} MB; ${f.total} buckets, ${f.errors} errors, ${f.reports} files`,
      });
      figures[`${key}.${runKey}.peakRssMB`] = round(f.peakRssMB, 1);
      figures[`${key}.${runKey}.auditPeakRssMB`] = round(f.auditPeakRssMB, 1);
      figures[`${key}.${runKey}.peakHeapUsedMB`] = round(f.peakHeapUsedMB, 1);
      figures[`${key}.${runKey}.wallMs`] = round(f.wallMs, 0);
    } catch (err) {
      peaks.push(Number.NaN);
      rows.push({
        case: `memory, ${config.label}, ${run}`,
        wallMs: null,
        note: `FAILED: ${(err as Error).message.split('\n')[0]}`,
      });
    }
  }
  const peak = peaks.every(Number.isFinite) ? round(Math.max(...peaks), 1) : null;
  figures[`${key}.peakRssMB`] = peak;
  if (config.key !== 'deployed') return;
  figures['memory.targetMB'] = DEPLOYED_TARGET_MB;
  figures['memory.marginMB'] = peak === null ? null : round(DEPLOYED_TARGET_MB - peak, 1);
  rows.push({
    case: `memory, ${config.label}: peak of the three runs against the ${DEPLOYED_TARGET_MB} MB target`,
    wallMs: null,
    note:
      peak === null
        ? 'a run failed'
        : `${peak} MB: ${peak <= DEPLOYED_TARGET_MB ? 'met' : 'NOT MET'}, ${round(DEPLOYED_TARGET_MB - peak, 1)} MB to spare`,
  });
}

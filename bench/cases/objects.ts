/**
 * The object side (issue 19): the backfill as shipped, every OSS call at latency L through the emulator
 * process, report-only policy (`objects.action: alert`), one object in `plainEvery` unencrypted.
 *
 * - HeadObject path, one worker, C checks in flight: objects/s against the bound C / L.
 * - Fan-out: W workers as Function Compute async invocations of the real worker handler (an FC emulator
 *   in this process, asyncConcurrency W), the run files in OSS: wall against N / (W x C / L), and this
 *   process's peak RSS while they run (all W workers share it, so one worker uses at most that).
 * - Inventory path on `million` objects: requests sent (every operation the emulator counted) and wall,
 *   against the HeadObject path run on the same bucket (one worker, same C and L): both measured, the
 *   requests as the emulator counted them. `BENCH_OBJECTS_EXTRAPOLATE=1` skips that run (it takes
 *   N / (C / L) = 5 minutes at best, 20-35 on a loaded machine) and extrapolates its wall from the
 *   one-worker rate on the sample bucket, its requests from one HeadObject per object plus one
 *   ListObjects per 1,000; the printout and results.json then say so.
 */
import os from 'node:os';
import { join } from 'node:path';
import { Accounts } from '../../emulator/core/accounts.js';
import { startFcEmulator } from '../../emulator/fc/index.js';
import { handler as workerHandler } from '../../functions/backfill-worker/index.js';
import { startBackfill } from '../../shared/backfill/coordinator.js';
import { setupInventory } from '../../shared/backfill/inventory-setup.js';
import { fcInvoker } from '../../shared/backfill/invoker.js';
import { localBackfill } from '../../shared/backfill/job.js';
import { DEFAULT_WORKER_FUNCTION } from '../../shared/backfill/payload.js';
import type { BackfillReport } from '../../shared/backfill/types.js';
import { OssInventory } from '../../shared/cloud/oss-inventory.js';
import { policyFromText } from '../../shared/policy/load.js';
import { benchRuntime } from '../auditor.js';
import type { EmulatorProcess } from '../emulator-process.js';
import { measure, type Row, round } from '../measure.js';

export interface ObjectsOptions {
  /** Objects of the sample bucket (HeadObject path, fan-out). */
  sample: number;
  /** Objects of the inventory bucket. */
  million: number;
  plainEvery: number;
  concurrency: number;
  latencyMs: number;
  /** Workers of the fan-out case. */
  workers: number;
  /** Rows per delivered inventory file. */
  rowsPerFile: number;
  /** Extrapolate the HeadObject path on `million` objects instead of running it. */
  extrapolateHead?: boolean;
}

/** One worker's HeadObject-path backfill of `bucket` (no inventory): wall, CPU, the requests counted. */
async function headPathOn(
  emu: EmulatorProcess,
  runtime: ReturnType<typeof benchRuntime>,
  bucket: string,
  concurrency: number,
) {
  const before = (await emu.stats()).counts;
  const m = await measure(emu, () =>
    localBackfill(
      runtime,
      {
        buckets: [bucket],
        remediate: false,
        shards: 1,
        location: freshFolder(),
        policy: POLICY,
        tuning: { concurrency, pageSize: 1000 },
      },
      { workers: 1, segmentMs: 3_600_000 },
    ),
  );
  const counts = delta((await emu.stats()).counts, before);
  return {
    wallMs: m.wallMs,
    auditorCpuMs: m.auditorCpuMs,
    emulatorCpuMs: m.emulatorCpuMs,
    counts,
    requests: sum(counts),
    unencrypted: m.value.report.summary.byVerdict.unencrypted,
  };
}

const REGION = 'cn-hangzhou';
const POLICY = policyFromText('version: 1\nobjects:\n  action: alert\n', 'bench objects policy');

const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
const delta = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)])
      .filter(([, v]) => (v as number) > 0),
  );

async function fanOut(emu: EmulatorProcess, opts: ObjectsOptions, bucket: string) {
  const credentials = {
    accessKeyId: emu.endpoints.accessKeyId,
    accessKeySecret: emu.endpoints.accessKeySecret,
  };
  const accounts = new Accounts();
  accounts.add(credentials);
  const fc = await startFcEmulator({ accounts, asyncConcurrency: opts.workers });
  Object.assign(process.env, emu.env, { OSS_SSE_GUARD_FC_ENDPOINT: fc.url, LOG_LEVEL: 'silent' });
  fc.register('', DEFAULT_WORKER_FUNCTION, workerHandler, { timeoutSec: 900, credentials, memorySize: 512 });
  await emu.seedObjects('bench-objs-runs', REGION, 0, 'none');
  const runtime = benchRuntime(emu);
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  try {
    const m = await measure(emu, async () => {
      await startBackfill(
        {
          oss: runtime.oss,
          logger: runtime.logger,
          invoker: fcInvoker({
            credentials,
            accountId: fc.accountId,
            region: REGION,
            endpoint: fc.url,
            apiVersion: '2023-03-30',
            functionName: DEFAULT_WORKER_FUNCTION,
          }),
        },
        {
          buckets: [bucket],
          remediate: false,
          shards: opts.workers,
          location: 'oss://bench-objs-runs/runs',
          policy: POLICY,
          tuning: { concurrency: opts.concurrency, pageSize: 1000 },
        },
      );
      await fc.idle();
    });
    return { wallMs: m.wallMs, m, baseMB: base / 2 ** 20, peakMB: peak / 2 ** 20 };
  } finally {
    clearInterval(sampler);
    await fc.close();
  }
}

export async function objectsCase(
  emu: EmulatorProcess,
  opts: ObjectsOptions,
): Promise<{ rows: Row[]; figures: Record<string, number | boolean | null> }> {
  const L = opts.latencyMs;
  const C = opts.concurrency;
  await emu.setFault('*', { latencyMs: L });
  const runtime = benchRuntime(emu);
  const sample = 'bench-objs-sample';
  await emu.seedObjects(sample, REGION, opts.sample, 'obj', opts.plainEvery);

  // 1. HeadObject path, one worker.
  const head = await headPathOn(emu, runtime, sample, C);
  const req1 = head.counts;
  const rate = opts.sample / (head.wallMs / 1000);
  const bound = C / (L / 1000);

  // 2. Fan-out over Function Compute.
  const fan = await fanOut(emu, opts, sample);
  const fanBound = (opts.sample / (opts.workers * bound)) * 1000;

  // 3. Inventory path on the large bucket.
  const big = 'bench-objs-million';
  await emu.seedObjects(big, REGION, opts.million, 'obj', opts.plainEvery);
  await emu.seedObjects('bench-objs-inventory', REGION, 0, 'none');
  await setupInventory(
    { inventory: new OssInventory(runtime.oss), bucketRegion: (b) => runtime.oss.bucketRegion(b) },
    {
      bucket: big,
      destination: 'bench-objs-inventory',
      roleArn: 'acs:ram::1000000000000000:role/AliyunOSSRole',
      apply: true,
    },
  );
  const delivered = await emu.deliverInventory(big, 'oss-sse-guard', {
    rowsPerFile: opts.rowsPerFile,
    hoursAgo: 3,
  });
  const before3 = (await emu.stats()).counts;
  const inv = await measure(emu, () =>
    localBackfill(
      runtime,
      {
        buckets: [big],
        remediate: false,
        location: freshFolder(),
        policy: POLICY,
        inventory: {},
        tuning: { concurrency: C, pageSize: 1000 },
      },
      { workers: 1, segmentMs: 3_600_000 },
    ),
  );
  const req3 = delta((await emu.stats()).counts, before3);
  const report: BackfillReport = inv.value.report;
  const unencrypted = report.summary.byVerdict.unencrypted;
  const invRequests = sum(req3);
  const target = (unencrypted + delivered.files) * 1.02;

  // 4. The HeadObject path on the same bucket: measured, unless told to extrapolate.
  const headBig = opts.extrapolateHead ? undefined : await headPathOn(emu, runtime, big, C);
  const headRequests = headBig ? headBig.requests : opts.million + Math.ceil(opts.million / 1000);
  const headWallMs = headBig ? headBig.wallMs : (opts.million / rate) * 1000;
  const headHow = headBig ? 'measured' : 'EXTRAPOLATED from the 1-worker rate';

  const rows: Row[] = [
    {
      case: `HeadObject path, 1 worker, ${opts.sample} objects, C=${C}, L=${L} ms`,
      wallMs: head.wallMs,
      boundMs: (opts.sample / bound) * 1000,
      ratio: round(bound / rate, 2),
      auditorCpuMs: head.auditorCpuMs,
      emulatorCpuMs: head.emulatorCpuMs,
      note: `${Math.round(rate)} objects/s vs bound C/L = ${bound}/s; requests ${JSON.stringify(req1)}`,
    },
    {
      case: `fan-out: ${opts.workers} workers via the FC emulator, ${opts.sample} objects`,
      wallMs: fan.wallMs,
      boundMs: fanBound,
      ratio: round(fan.wallMs / fanBound, 2),
      auditorCpuMs: fan.m.auditorCpuMs,
      emulatorCpuMs: fan.m.emulatorCpuMs,
      note: `peak RSS of this process (all ${opts.workers} workers + FC emulator) ${Math.round(fan.peakMB)} MB, ${Math.round(fan.baseMB)} MB before`,
    },
    {
      case: `inventory path, ${opts.million} objects (${unencrypted} unencrypted), ${delivered.files} files`,
      wallMs: inv.wallMs,
      auditorCpuMs: inv.auditorCpuMs,
      emulatorCpuMs: inv.emulatorCpuMs,
      note: `${invRequests} requests (target <= ${Math.floor(target)}): ${JSON.stringify(req3)}`,
    },
    {
      case: `HeadObject path on the same ${opts.million} objects, 1 worker (${headHow})`,
      wallMs: headWallMs,
      boundMs: (opts.million / bound) * 1000,
      ratio: round(headWallMs / ((opts.million / bound) * 1000), 2),
      auditorCpuMs: headBig?.auditorCpuMs ?? null,
      emulatorCpuMs: headBig?.emulatorCpuMs ?? null,
      note: `${headRequests} requests${headBig ? `: ${JSON.stringify(headBig.counts)}; ${headBig.unencrypted} unencrypted found` : ' (one HeadObject per object + ListObjects per 1,000)'}; ${round(headRequests / invRequests, 1)}x the inventory path's requests, ${round(headWallMs / inv.wallMs, 1)}x its wall`,
    },
  ];
  return {
    rows,
    figures: {
      'objects.headPath.objectsPerSecond': round(rate, 0),
      'objects.headPath.boundPerSecond': bound,
      'objects.headPath.ratioToBound': round(bound / rate, 2),
      'objects.fanOut.workers': opts.workers,
      'objects.fanOut.wallMs': round(fan.wallMs, 0),
      'objects.fanOut.boundMs': round(fanBound, 0),
      'objects.fanOut.ratioToBound': round(fan.wallMs / fanBound, 2),
      'objects.fanOut.peakRssMB': round(fan.peakMB, 0),
      'objects.inventory.objects': opts.million,
      'objects.inventory.unencrypted': unencrypted,
      'objects.inventory.files': delivered.files,
      'objects.inventory.requests': invRequests,
      'objects.inventory.requestsOverTarget': round(invRequests / (unencrypted + delivered.files), 3),
      'objects.inventory.wallMs': round(inv.wallMs, 0),
      'objects.inventory.judgedFromInventory': report.inventory?.[0]?.judgedFromInventory ?? null,
      'objects.headPathOnSameBucket.measured': headBig !== undefined,
      'objects.headPathOnSameBucket.requests': headRequests,
      'objects.headPathOnSameBucket.wallMs': round(headWallMs, 0),
      'objects.headPathOnSameBucket.boundMs': round((opts.million / bound) * 1000, 0),
      'objects.headPathOnSameBucket.objectsPerSecond': round(opts.million / (headWallMs / 1000), 0),
      'objects.headPathOnSameBucket.unencryptedFound': headBig?.unencrypted ?? null,
      'objects.requestReduction': round(headRequests / invRequests, 1),
      'objects.wallSpeedup': round(headWallMs / inv.wallMs, 1),
      'objects.machineLoad': round(os.loadavg()[0] ?? 0, 2),
    },
  };
}

function freshFolder(): string {
  // A fresh local run folder per run: the run files are not OSS requests in the request counts.
  return join(
    os.tmpdir(),
    `oss-sse-guard-bench-objects-${process.pid}-${Math.random().toString(36).slice(2)}`,
  );
}

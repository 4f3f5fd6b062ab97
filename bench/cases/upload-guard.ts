/**
 * Case 5: the upload guard (shared/objects/guard.ts) on OSS events, one event per call as Function Compute
 * delivers them, policy `objects: { action: alert }` (HeadObject, verdict, log). Per-event overhead beyond
 * its HeadObject = sequential time per event - sequential time per bare HeadObject through the same
 * gateway; then events/s at concurrency C against the bound C / L. n/a while shared/objects has no guard.
 */
import { createHash } from 'node:crypto';
import { objectGateway } from '../../shared/cloud/oss-objects.js';
import { silentLogger } from '../../shared/log.js';
import type { guardObjects as GuardObjects } from '../../shared/objects/guard.js';
import { policyFromText } from '../../shared/policy/load.js';
import { ossEvent } from '../../test/fixtures/events/builders.js';
import { benchRuntime } from '../auditor.js';
import type { EmulatorProcess } from '../emulator-process.js';
import { measure, type Row, round } from '../measure.js';
import { objectKey } from '../seed-names.js';

export interface UploadGuardOptions {
  objects: number;
  sequentialSample: number;
  concurrency: number;
  latencyMs: number;
}

const BUCKET = 'bench-uploads';
const REGION = 'cn-hangzhou';

/** The event OSS sends for object `i` (ETag of the body the emulator process stored). */
function eventFor(i: number): Buffer {
  const eTag = createHash('md5').update(`object ${i}`).digest('hex').toUpperCase();
  return ossEvent({
    bucket: BUCKET,
    key: objectKey('up', i),
    region: REGION,
    size: `object ${i}`.length,
    eTag,
  });
}

async function loadGuard(): Promise<typeof GuardObjects | undefined> {
  try {
    return (await import('../../shared/objects/guard.js')).guardObjects;
  } catch {
    return undefined;
  }
}

export async function uploadGuardCase(
  emu: EmulatorProcess,
  opts: UploadGuardOptions,
): Promise<{ rows: Row[]; figures: Record<string, number | null> }> {
  const guardObjects = await loadGuard();
  if (!guardObjects) {
    return {
      rows: [
        { case: 'upload guard events/s', wallMs: null, note: 'n/a: shared/objects/guard.ts not present' },
      ],
      figures: { 'uploadGuard.eventsPerSecond': null, 'uploadGuard.overheadMsPerEvent': null },
    };
  }
  const { objects: n, concurrency: c, latencyMs: l } = opts;
  await emu.seedObjects(BUCKET, REGION, n, 'up');
  await emu.setFault('*', { latencyMs: l });
  const runtime = benchRuntime(emu);
  const deps = { oss: objectGateway(runtime.oss), kms: runtime.kms, logger: silentLogger() };
  const { policy } = policyFromText('version: 1\nobjects: { action: alert }\n', 'bench: objects alert');
  const guard = (i: number) => guardObjects(deps, { policy, events: eventFor(i) });
  const heads = objectGateway(runtime.oss).objects();
  for (let i = 0; i < 50; i += 1) await guard(i % n);

  const s = Math.min(opts.sequentialSample, n);
  const seqGuard = await measure(emu, async () => {
    for (let i = 0; i < s; i += 1) await guard(i);
  });
  const seqHead = await measure(emu, async () => {
    for (let i = 0; i < s; i += 1) await heads.head({ bucket: BUCKET, region: REGION }, objectKey('up', i));
  });
  const perEventMs = seqGuard.wallMs / s;
  const perHeadMs = seqHead.wallMs / s;

  let next = 0;
  const verdicts: Record<string, number> = {};
  const parallel = await measure(emu, async () => {
    const worker = async () => {
      for (let i = next++; i < n; i = next++) {
        const summary = await guard(i);
        for (const [v, k] of Object.entries(summary.byVerdict)) verdicts[v] = (verdicts[v] ?? 0) + k;
      }
    };
    await Promise.all(Array.from({ length: c }, worker));
  });
  const eventsPerSecond = n / (parallel.wallMs / 1000);
  const boundPerSecond = c / (l / 1000);
  return {
    rows: [
      {
        case: `upload guard, ${s} events one after another, L=${l} ms`,
        wallMs: seqGuard.wallMs,
        boundMs: s * l,
        ratio: seqGuard.wallMs / (s * l),
        auditorCpuMs: seqGuard.auditorCpuMs,
        emulatorCpuMs: seqGuard.emulatorCpuMs,
        note: `${round(perEventMs, 2)} ms/event vs ${round(perHeadMs, 2)} ms per bare HeadObject: overhead ${round(perEventMs - perHeadMs, 2)} ms/event, ${round(seqGuard.auditorCpuMs / s, 3)} ms CPU/event (${round(seqHead.auditorCpuMs / s, 3)} for the HeadObject alone)`,
      },
      {
        case: `upload guard, ${n} events at C=${c}, L=${l} ms`,
        wallMs: parallel.wallMs,
        boundMs: (n / boundPerSecond) * 1000,
        ratio: parallel.wallMs / ((n / boundPerSecond) * 1000),
        auditorCpuMs: parallel.auditorCpuMs,
        emulatorCpuMs: parallel.emulatorCpuMs,
        note: `${Math.round(eventsPerSecond)} events/s (bound ${Math.round(boundPerSecond)}); verdicts ${JSON.stringify(verdicts)}`,
      },
    ],
    figures: {
      'uploadGuard.eventsPerSecond': round(eventsPerSecond, 0),
      'uploadGuard.eventsPerSecondBound': round(boundPerSecond, 0),
      'uploadGuard.msPerEvent': round(perEventMs, 3),
      'uploadGuard.msPerHeadObject': round(perHeadMs, 3),
      'uploadGuard.overheadMsPerEvent': round(perEventMs - perHeadMs, 3),
      'uploadGuard.cpuMsPerEvent': round(seqGuard.auditorCpuMs / s, 4),
    },
  };
}

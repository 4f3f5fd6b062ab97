/**
 * `npm run bench`: the product's speed against the physical bound, under throttling, in memory, and at
 * cold start, against the emulators running in a process of their own (bench/emulator-server.ts), so
 * each side's CPU is its own. Prints one table per case (wall, bound, ratio, CPU of each side) and
 * writes bench/results.json. Figures are printed, never asserted. Proposals to shared code are measured
 * on private copies (bench/proposals/, bench/PROPOSALS.md); nothing under shared/ is edited.
 *
 * `BENCH_QUICK=1` shrinks every case (a smoke run, figures not comparable).
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { loadTimeCase } from './cases/load-time.js';
import { MEMORY_CONFIGS, memoryCase } from './cases/memory.js';
import { scanCase } from './cases/scan.js';
import { throttleCase } from './cases/throttle.js';
import { uploadGuardCase } from './cases/upload-guard.js';
import { type EmulatorProcess, REPO, startEmulatorProcess } from './emulator-process.js';
import { formatRows, type Row, round } from './measure.js';
import { checkDiffs, RUN_PIPELINED_FIXED_SHAPE, removePatched } from './proposals/patched.js';
import { resultsTree, targetsOf } from './results.js';

const quick = process.env.BENCH_QUICK === '1';
const size = (full: number, small: number) => (quick ? small : full);

type Figures = Record<string, number | boolean | null>;
interface CaseResult {
  rows: Row[];
  figures: Figures;
}

const figures: Figures = {};

/** Runs one case with a fresh emulator process (no state or rate window carried over). */
async function withEmulator(
  title: string,
  run: (emu: EmulatorProcess) => Promise<CaseResult>,
): Promise<void> {
  const started = performance.now();
  process.stdout.write(`\n== ${title}\n`);
  const emu = await startEmulatorProcess();
  try {
    const result = await run(emu);
    process.stdout.write(`${formatRows(result.rows)}\n`);
    Object.assign(figures, result.figures);
  } catch (err) {
    process.stdout.write(`FAILED: ${(err as Error).stack ?? String(err)}\n`);
  } finally {
    await emu.close();
    process.stdout.write(`(${round((performance.now() - started) / 1000, 1)} s)\n`);
  }
}

async function optionalEventToCompliant(): Promise<CaseResult | undefined> {
  // Another engineer's measurement (bench/event-to-compliant.ts), run when present.
  try {
    const mod = (await import('./event-to-compliant.js')) as {
      measureEventToCompliant?: (latencyMs: number) => Promise<{ ms: number }>;
    };
    if (!mod.measureEventToCompliant) return undefined;
    const { ms } = await mod.measureEventToCompliant(20);
    return {
      rows: [{ case: 'bucket watch: change event to compliant, L=20 ms (in-process emulators)', wallMs: ms }],
      figures: { 'watch.eventToCompliantMs': round(ms, 1) },
    };
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  figures['machine.cores'] = os.availableParallelism();
  figures['machine.loadAverageAtStart'] = round(os.loadavg()[0] ?? 0, 2);
  process.stdout.write(
    `oss-sse-guard bench${quick ? ' (QUICK: sizes reduced, not comparable)' : ''}: node ${process.version}, ${figures['machine.cores']} cores (${cpus[0]?.model ?? '?'}), load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  const started = performance.now();
  try {
    await withEmulator('1. full audit vs the physical bound, and the sequential way', (emu) =>
      scanCase(emu, {
        buckets: size(10_000, 1_000),
        concurrency: 64,
        latencyMs: 20,
        sequentialSample: size(300, 50),
        repeat: size(3, 1),
        variants: [
          { key: 'stock', label: 'as shipped', gateway: 'stock' },
          { key: 'lean', label: 'A: ali-oss request path, no xml2js', gateway: 'lean' },
          { key: 'direct', label: 'B: direct signed GET', gateway: 'direct' },
          {
            key: 'all',
            label: 'B + D/E + H: direct GET, pipelined listing, pool',
            gateway: 'direct',
            run: RUN_PIPELINED_FIXED_SHAPE,
          },
        ],
      }),
    );
    await withEmulator('2. throttling: GetBucketEncryption capped at Q requests/s', (emu) =>
      throttleCase(emu, {
        buckets: size(5_000, 500),
        capQps: size(500, 250),
        concurrency: 64,
        latencyMs: 20,
      }),
    );
    await withEmulator('3. upload guard', (emu) =>
      uploadGuardCase(emu, {
        objects: size(2_000, 200),
        sequentialSample: size(200, 30),
        concurrency: 64,
        latencyMs: 20,
      }),
    );
    await withEmulator('4. memory', (emu) =>
      memoryCase(emu, { buckets: size(100_000, 5_000), concurrency: 64, configs: MEMORY_CONFIGS }),
    );
    process.stdout.write('\n== 5. cold start: bundle load time\n');
    const load = await loadTimeCase(size(7, 3));
    process.stdout.write(`${formatRows(load.rows)}\n`);
    Object.assign(figures, load.figures);
    const watch = await optionalEventToCompliant();
    if (watch) {
      process.stdout.write('\n== 6. bucket watch\n');
      process.stdout.write(`${formatRows(watch.rows)}\n`);
      Object.assign(figures, watch.figures);
    }
  } finally {
    await removePatched();
  }
  process.stdout.write('\n== proposal diffs against the current shared files\n');
  for (const d of await checkDiffs()) {
    process.stdout.write(
      `${d.applies ? 'applies         ' : 'NO LONGER APPLIES'}  ${d.diff}${d.applies ? '' : `: ${d.detail}`}\n`,
    );
  }
  const targets = targetsOf(figures);
  process.stdout.write('\n== targets (as shipped | with the proposals, bench/PROPOSALS.md)\n');
  for (const t of targets) process.stdout.write(`${t.met ? 'met    ' : 'NOT MET'}  ${t.line}\n`);
  const totalS = round((performance.now() - started) / 1000, 1);
  figures['bench.totalSeconds'] = totalS;
  figures['machine.loadAverageAtEnd'] = round(os.loadavg()[0] ?? 0, 2);
  figures['bench.quick'] = quick;
  const out = join(REPO, 'bench', 'results.json');
  await writeFile(out, `${JSON.stringify({ ...resultsTree(figures), targets }, null, 2)}\n`);
  process.stdout.write(`\nwrote ${out} (${totalS} s in all)\n`);
}

await main();

/**
 * `npm run bench`: the product as shipped, against the targets (issue 8): speed against the
 * physical bound, under throttling, upload-guard overhead, peak memory of the deployed bundle, and cold
 * start. The emulators run in a process of their own (bench/emulator-server.ts), so each side's CPU is its
 * own. Prints one table per case and the targets, and writes bench/results.json. Figures are printed,
 * never asserted. What was adopted and what remains: bench/README.md.
 *
 * `BENCH_QUICK=1` shrinks every case (a smoke run, figures not comparable). `BENCH_ONLY=scan,memory`
 * or `npm run bench -- scan memory` runs only the cases named (scan, throttle, upload, memory, load, cli,
 * watch, objects, org; `load-time` is load and cli); their figures replace those of the same name in
 * bench/results.json, the others are kept from the last run.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { buildFunctions } from '../scripts/build.js';
import { packAndInstall } from '../scripts/pack-install.js';
import { cliTimeCase, loadTimeCase } from './cases/load-time.js';
import { deployedNodeOptions, type MemoryConfig, memoryCase } from './cases/memory.js';
import { objectsCase } from './cases/objects.js';
import { orgCase } from './cases/org.js';
import { scanCase } from './cases/scan.js';
import { throttleCase } from './cases/throttle.js';
import { uploadGuardCase } from './cases/upload-guard.js';
import { type EmulatorProcess, REPO, startEmulatorProcess } from './emulator-process.js';
import { formatRows, type Row, round } from './measure.js';
import { resultsTree, targetsOf } from './results.js';

const quick = process.env.BENCH_QUICK === '1';
const named = [...(process.env.BENCH_ONLY?.split(',') ?? []), ...process.argv.slice(2)]
  .map((s) => s.trim())
  .filter(Boolean)
  .flatMap((s) => (s === 'load-time' ? ['load', 'cli'] : [s]));
const only = named.length > 0 ? named : undefined;
const wanted = (name: string) => !only || only.includes(name);
const size = (full: number, small: number) => (quick ? small : full);

type Figures = Record<string, number | boolean | null>;
interface CaseResult {
  rows: Row[];
  figures: Figures;
}

const figures: Figures = {};

function print(result: CaseResult): void {
  process.stdout.write(`${formatRows(result.rows)}\n`);
  Object.assign(figures, result.figures);
}

/** Runs one case with a fresh emulator process (no state or rate window carried over). */
async function withEmulator(
  title: string,
  run: (emu: EmulatorProcess) => Promise<CaseResult>,
): Promise<void> {
  const started = performance.now();
  process.stdout.write(`\n== ${title}\n`);
  const emu = await startEmulatorProcess();
  try {
    print(await run(emu));
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

/** The memory configurations: as deployed (s.yaml's heap cap), and a heap cap sized for 256 MB. */
function memoryConfigs(): MemoryConfig[] {
  const deployed = deployedNodeOptions();
  const nodeFlags = deployed.nodeOptions.split(/\s+/).filter(Boolean);
  const runtimeEnv = Object.entries(deployed.runtimeEnv)
    .map(([k, v]) => ` ${k}=${v}`)
    .join('');
  return [
    {
      key: 'deployed',
      label: `deployed (s.yaml NODE_OPTIONS "${deployed.nodeOptions}"${runtimeEnv}, memorySize ${deployed.memorySizeMB} MB)`,
      nodeFlags,
      store: 'oss',
      env: deployed.runtimeEnv,
    },
    {
      key: 'cap256',
      label: 'sized for 256 MB (--max-old-space-size=192, 3/4 of 256; the rest as deployed)',
      nodeFlags: [
        ...nodeFlags.filter((f) => !f.startsWith('--max-old-space-size')),
        '--max-old-space-size=192',
      ],
      store: 'oss',
      env: deployed.runtimeEnv,
    },
  ];
}

/** The organization case (issue 17): `npm run bench -- org` runs it alone. */
async function runOrgCase(): Promise<void> {
  process.stdout.write('\n== 7. organization: fan-out over Function Compute\n');
  const started = performance.now();
  try {
    print(
      await orgCase({
        accounts: size(500, 20),
        buckets: size(200, 20),
        latencyMs: 20,
        workers: size(50, 5),
        accountsPerWorker: size(5, 2),
      }),
    );
  } catch (err) {
    process.stdout.write(`FAILED: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.stdout.write(`(${round((performance.now() - started) / 1000, 1)} s)\n`);
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
  // The function bundles, built as `npm run build` builds them (scripts/build.ts), into a scratch folder:
  // the memory and cold-start cases measure these, never a stale dist/.
  const bundles = await mkdtemp(join(os.tmpdir(), 'oss-sse-guard-bench-bundles-'));
  try {
    if (wanted('memory') || wanted('load')) await buildFunctions(bundles);
    if (wanted('scan'))
      await withEmulator('1. full audit vs the physical bound, and the sequential way', (emu) =>
        scanCase(emu, {
          buckets: size(10_000, 1_000),
          concurrency: 64,
          latencyMs: 20,
          sequentialSample: size(300, 50),
          repeat: size(3, 1),
          variants: [
            { key: 'shipped', label: 'as shipped', gateway: 'shipped' },
            {
              key: 'notAdopted.directGet',
              label: 'not adopted: hand-written signing (B, direct signed GET)',
              gateway: 'direct',
            },
          ],
        }),
      );
    if (wanted('throttle'))
      await withEmulator('2. throttling: GetBucketEncryption capped at Q requests/s', (emu) =>
        throttleCase(emu, {
          buckets: size(5_000, 500),
          capQps: size(500, 250),
          concurrency: 64,
          latencyMs: 20,
        }),
      );
    if (wanted('upload'))
      await withEmulator('3. upload guard', (emu) =>
        uploadGuardCase(emu, {
          objects: size(2_000, 200),
          sequentialSample: size(200, 30),
          concurrency: 64,
          latencyMs: 20,
        }),
      );
    if (wanted('memory'))
      await withEmulator(
        '4. memory: the bucket-auditor bundle on a timer event, reports written to OSS',
        (emu) =>
          memoryCase(emu, {
            buckets: size(100_000, 5_000),
            bundle: join(bundles, 'bucket-auditor', 'index.js'),
            configs: memoryConfigs(),
          }),
      );
    if (wanted('load')) {
      process.stdout.write('\n== 5. cold start: bundle load time\n');
      print(loadTimeCase(bundles, size(7, 3)));
    }
    if (wanted('objects'))
      await withEmulator('7. objects: backfill, HeadObject path, fan-out, and the inventory path', (emu) =>
        objectsCase(emu, {
          sample: size(20_000, 2_000),
          million: size(1_000_000, 50_000),
          plainEvery: 100,
          concurrency: 64,
          latencyMs: 20,
          workers: 4,
          rowsPerFile: size(100_000, 10_000),
          extrapolateHead: process.env.BENCH_OBJECTS_EXTRAPOLATE === '1',
        }),
      );
    if (wanted('org')) await runOrgCase();
    if (wanted('cli')) {
      process.stdout.write('\n== 7. the installed CLI: npm pack, npm install <tarball>, policy validate\n');
      const installed = await packAndInstall();
      try {
        print(cliTimeCase(installed.packageDir, size(15, 5)));
      } finally {
        await installed.dispose();
      }
    }
    const watch = wanted('watch') ? await optionalEventToCompliant() : undefined;
    if (watch) {
      process.stdout.write('\n== 6. bucket watch\n');
      print(watch);
    }
  } finally {
    await rm(bundles, { recursive: true, force: true });
  }
  const targets = targetsOf(figures);
  process.stdout.write('\n== targets (as shipped)\n');
  for (const t of targets) {
    const status = t.met ? 'met    ' : t.measured ? 'NOT MET' : 'not run';
    process.stdout.write(`${status}  ${t.line}\n`);
  }
  const totalS = round((performance.now() - started) / 1000, 1);
  figures['bench.totalSeconds'] = totalS;
  figures['machine.loadAverageAtEnd'] = round(os.loadavg()[0] ?? 0, 2);
  figures['bench.quick'] = quick;
  const out = join(REPO, 'bench', 'results.json');
  const kept = only ? await previousFigures(out) : {};
  const all = { ...kept, ...figures };
  await writeFile(
    out,
    `${JSON.stringify({ ...resultsTree(all), targets: only ? targetsOf(all) : targets }, null, 2)}\n`,
  );
  process.stdout.write(`\nwrote ${out} (${totalS} s in all)\n`);
}

/** The flat figures of the last bench/results.json (a run of some cases keeps the others' figures). */
async function previousFigures(file: string): Promise<Figures> {
  const flat: Figures = {};
  const walk = (node: unknown, prefix: string) => {
    if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
      for (const [k, v] of Object.entries(node)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else if (typeof node === 'number' || typeof node === 'boolean' || node === null) flat[prefix] = node;
  };
  try {
    const { targets: _targets, ...tree } = JSON.parse(await readFile(file, 'utf8')) as Record<
      string,
      unknown
    >;
    walk(tree, '');
  } catch {
    // No previous results: only this run's figures.
  }
  return flat;
}

await main();

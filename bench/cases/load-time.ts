/**
 * Case 6: cold-start cost of each function bundle: `node -e "require(bundle)"` against a bare `node -e ''`,
 * medians of alternating runs. Uses dist/ when `npm run build` made it; otherwise builds the bundles the
 * same way (scripts/build.ts) into a temporary folder, and says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../emulator-process.js';
import { type Row, round } from '../measure.js';

function timeNode(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: tmpdir(), stdio: 'ignore', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export async function loadTimeCase(
  runs: number,
): Promise<{ rows: Row[]; figures: Record<string, number | null> }> {
  const dist = join(REPO, 'dist');
  let dir = dist;
  let temp: string | undefined;
  let origin = 'dist/';
  if (!existsSync(dist)) {
    try {
      const { buildFunctions } = await import('../../scripts/build.js');
      temp = await mkdtemp(join(tmpdir(), 'oss-sse-guard-bundles-'));
      await buildFunctions(temp);
      dir = temp;
      origin = 'built for the bench (no dist/)';
    } catch (err) {
      return {
        rows: [
          {
            case: 'bundle load time',
            wallMs: null,
            note: `n/a: no dist/ and the build failed (${(err as Error).message.split('\n')[0]})`,
          },
        ],
        figures: { 'uploadGuard.loadVsBareNode': null },
      };
    }
  }
  try {
    const names = readdirSync(dir).filter((f) => existsSync(join(dir, f, 'index.js')));
    const bare: number[] = [];
    const loads = new Map<string, number[]>(names.map((n) => [n, []]));
    timeNode(['-e', '']);
    for (let i = 0; i < runs; i += 1) {
      bare.push(timeNode(['-e', '']));
      for (const name of names) {
        const file = join(dir, name, 'index.js');
        loads.get(name)?.push(timeNode(['-e', `require(${JSON.stringify(file)})`]));
      }
    }
    const bareMs = median(bare);
    const rows: Row[] = [{ case: "bare node -e ''", wallMs: bareMs, note: `median of ${runs}` }];
    const figures: Record<string, number | null> = {
      'load.bareNodeMs': round(bareMs, 1),
      'uploadGuard.loadVsBareNode': null,
    };
    for (const name of names) {
      const ms = median(loads.get(name) ?? []);
      rows.push({
        case: `load dist/${name}/index.js`,
        wallMs: ms,
        ratio: ms / bareMs,
        note: `ratio = vs bare node; ${origin}`,
      });
      figures[`load.${name}.ms`] = round(ms, 1);
      figures[`load.${name}.vsBareNode`] = round(ms / bareMs, 2);
      if (name === 'upload-guard') figures['uploadGuard.loadVsBareNode'] = round(ms / bareMs, 2);
    }
    return { rows, figures };
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

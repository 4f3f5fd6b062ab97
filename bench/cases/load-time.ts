/**
 * Case 5: cold-start cost of each function bundle: `node -e "require(bundle)"` against a bare `node -e ''`,
 * medians of alternating runs, on the bundles this bench run built with scripts/build.ts (what
 * `npm run build` runs), so a stale dist/ is never measured. Target: each within 3x a bare node.
 *
 * Case 7 (`cliTimeCase`): the installed CLI (packed and installed into an empty folder by
 * scripts/pack-install.ts, as a user gets it) running `policy validate examples/policy.yaml`, against a
 * bare `node -e ''` in the same alternation. Target: at most 3x.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Row, round } from '../measure.js';

function timeNode(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: tmpdir(), stdio: 'ignore', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** The installed CLI's `policy validate` against a bare node, alternating, medians of `runs`. */
export function cliTimeCase(
  packageDir: string,
  runs: number,
): { rows: Row[]; figures: Record<string, number | null> } {
  const bin = join(packageDir, 'bin', 'oss-sse-guard.js');
  const validate = [bin, 'policy', 'validate', join(packageDir, 'examples', 'policy.yaml')];
  const version = [bin, '--version'];
  const bare: number[] = [];
  const cli: number[] = [];
  const ver: number[] = [];
  timeNode(validate);
  for (let i = 0; i < runs; i += 1) {
    bare.push(timeNode(['-e', '']));
    cli.push(timeNode(validate));
    ver.push(timeNode(version));
  }
  const bareMs = median(bare);
  const cliMs = median(cli);
  const verMs = median(ver);
  return {
    rows: [
      { case: "bare node -e ''", wallMs: bareMs, note: `median of ${runs}` },
      { case: 'installed CLI: policy validate examples/policy.yaml', wallMs: cliMs, ratio: cliMs / bareMs },
      { case: 'installed CLI: --version', wallMs: verMs, ratio: verMs / bareMs },
    ],
    figures: {
      'cli.bareNodeMs': round(bareMs, 1),
      'cli.policyValidateMs': round(cliMs, 1),
      'cli.policyValidateVsBareNode': round(cliMs / bareMs, 2),
      'cli.versionMs': round(verMs, 1),
    },
  };
}

/** `dir`: a folder of `<function>/index.js` bundles. */
export function loadTimeCase(
  dir: string,
  runs: number,
): { rows: Row[]; figures: Record<string, number | null> } {
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
      case: `load ${name}/index.js`,
      wallMs: ms,
      ratio: ms / bareMs,
      note: 'ratio = vs bare node',
    });
    figures[`load.${name}.ms`] = round(ms, 1);
    figures[`load.${name}.vsBareNode`] = round(ms / bareMs, 2);
    if (name === 'upload-guard') figures['uploadGuard.loadVsBareNode'] = round(ms / bareMs, 2);
  }
  return { rows, figures };
}

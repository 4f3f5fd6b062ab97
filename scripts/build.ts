/**
 * `npm run build`: bundles each function for Function Compute (Node.js 20, CommonJS `index.handler`),
 * minified with source maps, into dist/<function>/index.js, with a package.json saying `"type":
 * "commonjs"` next to it (so Node reads the bundle as CommonJS wherever it is loaded, also inside this
 * `"type": "module"` repository), and zips each folder to dist/<function>.zip (what `s deploy` uploads),
 * with its SHA-256 in dist/SHA256SUMS. Prints each bundle's and zip's size.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { type FunctionZip, zipFolder } from './zip.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BuiltFunction {
  name: string;
  outfile: string;
  bytes: number;
  metafile: Metafile;
  /** dist/<function>.zip: the folder's files, reproducible (fixed timestamps), and its SHA-256. */
  zip: FunctionZip;
}

/** The functions: one folder each under functions/. */
export function functionNames(): string[] {
  return readdirSync(join(ROOT, 'functions')).filter((f) =>
    statSync(join(ROOT, 'functions', f)).isDirectory(),
  );
}

/**
 * Dependencies the bundle needs only on rare paths, shipped as a file of their own next to index.js and
 * `require()`d from there when that path runs, so V8 never compiles them at cold start. iconv-lite: urllib
 * (under ali-oss) requires it only to decode a response whose charset Node's Buffer does not know (GBK...);
 * its encoding tables are ~480 KB, a fifth of the bundle.
 */
export const SIDE_FILES = ['iconv-lite'];

const sideFiles: Plugin = {
  name: 'side-files',
  setup(b) {
    const filter = new RegExp(`^(${SIDE_FILES.join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: `./${args.path}.js`, external: true }));
  },
};

export async function buildFunctions(outDir = join(ROOT, 'dist')): Promise<BuiltFunction[]> {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const built: BuiltFunction[] = [];
  for (const name of functionNames()) {
    const outfile = join(outDir, name, 'index.js');
    const result = await build({
      entryPoints: [join(ROOT, 'functions', name, 'index.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: true,
      sourcemap: true,
      metafile: true,
      legalComments: 'none',
      // urllib (under ali-oss) requires proxy-agent only when a proxy is configured, inside a try/catch.
      external: ['proxy-agent'],
      plugins: [sideFiles],
      define: { __OSS_SSE_GUARD_VERSION__: JSON.stringify(version) },
      // tool.ts reads package.json through import.meta.url only when unbundled; the define above wins.
      logOverride: { 'empty-import-meta': 'silent' },
      logLevel: 'warning',
    });
    for (const dep of SIDE_FILES) {
      await build({
        entryPoints: [dep],
        absWorkingDir: ROOT,
        outfile: join(outDir, name, `${dep}.js`),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        minify: true,
        legalComments: 'none',
        logLevel: 'warning',
      });
    }
    // Node decides CommonJS or ESM from the nearest package.json: this one makes it the bundle's own.
    writeFileSync(
      join(outDir, name, 'package.json'),
      `${JSON.stringify({ name: `oss-sse-guard-${name}`, version, private: true, type: 'commonjs', main: 'index.js' }, null, 2)}\n`,
    );
    const zip = await zipFolder(join(outDir, name), join(outDir, `${name}.zip`));
    built.push({ name, outfile, bytes: statSync(outfile).size, metafile: result.metafile, zip });
  }
  writeFileSync(join(outDir, 'SHA256SUMS'), built.map((f) => `${f.zip.sha256}  ${f.name}.zip\n`).join(''));
  return built;
}

/** Inputs reachable from the entry through static imports only (what loads at cold start). */
export function staticallyReachable(metafile: Metafile, entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const path = stack.pop() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const imp of metafile.inputs[path]?.imports ?? []) {
      if (imp.kind !== 'dynamic-import' && !imp.external) stack.push(imp.path);
    }
  }
  return seen;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  for (const f of await buildFunctions()) {
    const modules = Object.keys(f.metafile.inputs).length;
    console.log(
      `dist/${f.name}/index.js  ${(f.bytes / 1024).toFixed(1)} KiB  (${modules} modules, handler index.handler)`,
    );
    console.log(`dist/${f.name}.zip  ${(f.zip.bytes / 1024).toFixed(1)} KiB  sha256 ${f.zip.sha256}`);
  }
  console.log('dist/SHA256SUMS written');
}

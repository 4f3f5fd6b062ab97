#!/usr/bin/env node
// `npm run build`: bundles each function for Function Compute (Node.js 20, CommonJS `index.handler`),
// minified with source maps, into dist/<function>/index.js, and prints each bundle's size.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const functions = readdirSync(join(root, 'functions')).filter((f) =>
  statSync(join(root, 'functions', f)).isDirectory(),
);

for (const fn of functions) {
  const outfile = join(root, 'dist', fn, 'index.js');
  const result = await build({
    entryPoints: [join(root, 'functions', fn, 'index.ts')],
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
    define: { __OSS_SSE_GUARD_VERSION__: JSON.stringify(version) },
    // tool.ts reads package.json through import.meta.url only when unbundled; the define above wins.
    logOverride: { 'empty-import-meta': 'silent' },
    logLevel: 'warning',
  });
  const bytes = statSync(outfile).size;
  const inputs = Object.keys(result.metafile.inputs).length;
  console.log(
    `dist/${fn}/index.js  ${(bytes / 1024).toFixed(1)} KiB  (${inputs} modules, handler index.handler)`,
  );
}

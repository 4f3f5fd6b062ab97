#!/usr/bin/env node
// Entry point of the `oss-sse-guard` command.
// - Installed from the npm package: runs the compiled JavaScript in lib/ (built by `npm run compile`,
//   run by `npm pack`/`npm publish` through `prepack`); no TypeScript runner at run time.
// - In a checkout of the repository (cli/index.ts is present): runs the TypeScript sources through tsx,
//   so `npm ci && npm start` needs no build step and never runs a stale lib/.
//   OSS_SSE_GUARD_COMPILED=1 forces lib/ in a checkout (after `npm run compile`).
import { existsSync } from 'node:fs';

const sources = new URL('../cli/index.ts', import.meta.url);
let entry;
if (existsSync(sources) && process.env.OSS_SSE_GUARD_COMPILED !== '1') {
  const { register } = await import('tsx/esm/api');
  register();
  entry = await import(sources.href);
} else {
  entry = await import('../lib/cli/index.js');
}
process.exitCode = await entry.main(process.argv.slice(2));

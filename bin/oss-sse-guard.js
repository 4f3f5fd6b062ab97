#!/usr/bin/env node
// Entry point of the `oss-sse-guard` command. The sources are TypeScript; tsx loads them directly so
// `npx oss-sse-guard ...` works right after `npm ci`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/index.ts');
process.exitCode = await main(process.argv.slice(2));

/**
 * `oss-sse-guard backfill --bucket B [--prefix P] [--remediate] [--local] [--shards N] [--out DIR]`: checks
 * (and with --remediate encrypts in place, where the policy's `objects.action` is `encrypt`) the objects
 * that already exist. With `--local` the workers run in this process and the aggregate report is printed;
 * without it they run as Function Compute invocations of the backfill-worker function and the command
 * prints where the report will appear.
 *
 * Exit codes (`--local`): 0 every object in scope is encrypted as required after the run; 1 some are not;
 * 2 usage or policy error (nothing was called); 3 some objects or shards could not be checked. Without
 * `--local`: 0 once every shard is dispatched, 2 usage, 3 a dispatch failed.
 */

import { z } from 'zod';
import { runPaths } from '../shared/backfill/checkpoint.js';
import { startBackfill } from '../shared/backfill/coordinator.js';
import { fcInvoker } from '../shared/backfill/invoker.js';
import { type BackfillJobSummary, localBackfill, remaining } from '../shared/backfill/job.js';
import { fcTargetFromEnv } from '../shared/backfill/payload.js';
import type { BackfillReport } from '../shared/backfill/types.js';
import { resolveCredentials } from '../shared/cloud/credentials.js';
import { settingsFromEnv } from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import { loadPolicy } from '../shared/policy/load.js';
import { ossLocation } from '../shared/ram/types.js';
import { buildRuntime } from '../shared/runtime.js';
import {
  type InventoryFlags,
  inventoryRequestOf,
  inventoryText,
  setupInventoryCommand,
} from './backfill-inventory.js';
import { parseFlags, wholeNumber } from './flags.js';
import { cliLogger } from './output.js';
import { type CommandSpec, runCommand } from './run.js';

const BACKFILL: CommandSpec = { failure: 'the backfill could not run', failedCode: EXIT.unchecked };

export interface BackfillFlags extends InventoryFlags {
  bucket?: string;
  prefix?: string;
  remediate?: boolean;
  local?: boolean;
  shards?: string;
  out?: string;
  policy?: string;
  accountId?: string;
  concurrency?: string;
  pageSize?: string;
  workers?: string;
  segmentSeconds?: string;
}

/** The flags that carry numbers, as one schema (cli/flags.ts names the flag in every error). */
const tuningSchema = z.object({
  shards: wholeNumber(1, 256).optional(),
  concurrency: wholeNumber(1, 256).optional(),
  pageSize: wholeNumber(1, 1000).optional(),
  workers: wholeNumber(1, 64).optional(),
  segmentSeconds: wholeNumber(1, 86_400).optional(),
});

/** The aggregate in a few lines. */
export function summaryText(r: BackfillReport, where: string): string {
  const s = r.summary;
  const verdicts = Object.entries(s.byVerdict)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const actions = Object.entries(s.actions)
    .filter(([k]) => k !== 'none')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    `backfill ${r.runId} (${r.mode}) of ${r.buckets.map((b) => `${b.name} (${b.region})`).join(', ')}${r.prefix ? ` under "${r.prefix}"` : ''}`,
    `required:  ${r.requirement}`,
    `objects:   ${s.objects} listed, ${s.outOfScope} out of scope, ${r.shards.length} shards`,
    `verdicts:  ${verdicts}`,
    `actions:   ${actions}`,
    `remaining: ${remaining(s)} not encrypted as required`,
    ...inventoryText(r),
    `report:    ${where}`,
    '',
  ].join('\n');
}

/** Runs `backfill`; returns the exit code (errors are the runner's, cli/run.ts). */
export function backfillCommand(flags: BackfillFlags): Promise<number> {
  return runCommand(BACKFILL, () => backfill(flags));
}

async function backfill(flags: BackfillFlags): Promise<number> {
  const buckets = (flags.bucket ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (buckets.length === 0) throw new ConfigError('--bucket: is required');
  if (flags.setupInventory) return await setupInventoryCommand(buckets, flags);
  const inventory = inventoryRequestOf(flags);
  const settings = settingsFromEnv();
  const { shards, concurrency, pageSize, workers, segmentSeconds } = parseFlags(tuningSchema, flags);
  const location = flags.out ?? settings.reportLocation ?? (flags.local ? 'reports' : undefined);
  if (!flags.local && !ossLocation(location)) {
    throw new ConfigError(
      '--out: Function Compute workers need an oss://bucket/prefix location (or OSS_SSE_GUARD_REPORT); use --local for a folder',
    );
  }
  const credentials = await resolveCredentials();
  const runtime = buildRuntime(settings, credentials, cliLogger());
  const policy = await loadPolicy(flags.policy ?? settings.policyRef, (b, k, max) =>
    runtime.oss.getObjectBounded(b, k, max),
  );
  const request = {
    buckets,
    ...(flags.prefix ? { prefix: flags.prefix } : {}),
    remediate: flags.remediate === true,
    ...(shards ? { shards } : {}),
    location: location as string,
    policy,
    tuning: { ...(concurrency ? { concurrency } : {}), ...(pageSize ? { pageSize } : {}) },
    ...(inventory ? { inventory } : {}),
  };
  if (flags.local) {
    const result = await localBackfill(runtime, request, {
      ...(workers ? { workers } : {}),
      ...(segmentSeconds ? { segmentMs: segmentSeconds * 1000 } : {}),
    });
    process.stdout.write(summaryText(result.report, result.reportPath));
    for (const f of result.failures) process.stderr.write(`error: shard ${f.job.shardId}: ${f.error}\n`);
    const s = result.report.summary;
    if (result.failures.length > 0 || s.byVerdict.error > 0) return EXIT.unchecked;
    return remaining(s) > 0 ? EXIT.notMet : EXIT.ok;
  }
  const accountId = flags.accountId ?? process.env.OSS_SSE_GUARD_ACCOUNT_ID;
  if (!accountId || !/^\d{1,32}$/.test(accountId)) {
    throw new ConfigError('--account-id: the numeric account id that owns the worker function is required');
  }
  const invoker = fcInvoker({
    credentials,
    accountId,
    region: process.env.OSS_SSE_GUARD_FC_REGION?.trim() || settings.homeRegion,
    ...(settings.fcEndpoint ? { endpoint: settings.fcEndpoint } : {}),
    ...fcTargetFromEnv(process.env),
  });
  const started = await startBackfill({ oss: runtime.oss, invoker, logger: runtime.logger }, request);
  const summary: BackfillJobSummary = {
    runId: started.runId,
    mode: started.manifest.mode,
    buckets: started.manifest.buckets,
    shards: started.manifest.shards.length,
    report: `${started.location}${runPaths.report}`,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return EXIT.ok;
}

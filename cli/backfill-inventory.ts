/**
 * The inventory flags of `oss-sse-guard backfill`: `--inventory [ID]` / `--inventory-max-age` turned into
 * the coordinator's request, the report's inventory lines, and `--setup-inventory [--apply]` (prints the
 * rule as JSON; exit 0 shown or written, 2 usage, 3 the cloud call failed).
 */
import { z } from 'zod';
import type { InventoryRequest } from '../shared/backfill/inventory.js';
import { setupInventory } from '../shared/backfill/inventory-setup.js';
import type { BackfillReport } from '../shared/backfill/types.js';
import { resolveCredentials } from '../shared/cloud/credentials.js';
import { OssInventory } from '../shared/cloud/oss-inventory.js';
import { settingsFromEnv } from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import { buildRuntime } from '../shared/runtime.js';
import { oneOf, parseFlags } from './flags.js';
import { cliLogger } from './output.js';
import { type CommandSpec, runCommand } from './run.js';

/** A rule that cannot be written leaves the state unknown (3); a bad flag is still a usage error (2). */
const SETUP_INVENTORY: CommandSpec = {
  failure: 'the inventory rule could not be set up',
  failedCode: EXIT.unchecked,
};

/** The inventory flags of `backfill` (cli/backfill.ts extends these with the rest). */
export interface InventoryFlags {
  prefix?: string;
  accountId?: string;
  inventory?: boolean | string;
  inventoryMaxAge?: string;
  setupInventory?: boolean;
  apply?: boolean;
  inventoryBucket?: string;
  inventoryPrefix?: string;
  inventoryRole?: string;
  inventoryFrequency?: string;
  inventoryKmsKey?: string;
}

/** `--inventory [ID]` and `--inventory-max-age H` as the coordinator's request; undefined without `--inventory`. */
export function inventoryRequestOf(flags: InventoryFlags): InventoryRequest | undefined {
  if (flags.inventory === undefined || flags.inventory === false) {
    if (flags.inventoryMaxAge !== undefined)
      throw new ConfigError('--inventory-max-age: only with --inventory');
    return undefined;
  }
  const req: InventoryRequest = {};
  if (typeof flags.inventory === 'string') req.id = flags.inventory;
  if (flags.inventoryMaxAge !== undefined) {
    const h = Number(flags.inventoryMaxAge);
    if (!Number.isFinite(h) || h <= 0 || h > 24 * 366) {
      throw new ConfigError(
        `--inventory-max-age: "${flags.inventoryMaxAge}" must be a number of hours above 0`,
      );
    }
    req.maxAgeHours = h;
  }
  return req;
}

/** The report's inventory lines (none for a HeadObject run). */
export function inventoryText(r: BackfillReport): string[] {
  return (r.inventory ?? []).map(
    (i) =>
      `inventory: ${i.bucket}: "${i.id}" taken ${i.scannedAt} (${i.ageHours} h before the run), ${i.files} files; ${i.judgedFromInventory} objects judged from it, ${i.checkedWithHead} checked with HeadObject; objects written since are the upload guard's`,
  );
}

const setupFlagsSchema = z.object({
  inventoryBucket: z
    .string({ error: 'is required with --setup-inventory' })
    .refine((v) => v !== '', { error: 'is required with --setup-inventory' }),
  inventoryFrequency: oneOf(['Daily', 'Weekly'] as const, (v) => `"${v}" must be Daily or Weekly`).default(
    'Weekly',
  ),
});

/** Runs `backfill --setup-inventory`. */
export async function setupInventoryCommand(buckets: string[], flags: InventoryFlags): Promise<number> {
  if (buckets.length !== 1) throw new ConfigError('--setup-inventory: give exactly one --bucket');
  const bucket = buckets[0] as string;
  const { inventoryBucket, inventoryFrequency: frequency } = parseFlags(setupFlagsSchema, flags);
  const accountId = flags.accountId ?? process.env.OSS_SSE_GUARD_ACCOUNT_ID;
  const roleArn = flags.inventoryRole ?? (accountId ? `acs:ram::${accountId}:role/AliyunOSSRole` : undefined);
  if (!roleArn)
    throw new ConfigError('--inventory-role: is required (or --account-id for the default AliyunOSSRole)');
  const settings = settingsFromEnv();
  const runtime = buildRuntime(settings, await resolveCredentials(), cliLogger());
  return runCommand(SETUP_INVENTORY, async () => {
    const result = await setupInventory(
      { inventory: new OssInventory(runtime.oss), bucketRegion: (b) => runtime.oss.bucketRegion(b) },
      {
        bucket,
        destination: inventoryBucket,
        ...(flags.inventoryPrefix ? { destinationPrefix: flags.inventoryPrefix } : {}),
        ...(typeof flags.inventory === 'string' ? { id: flags.inventory } : {}),
        ...(flags.prefix ? { prefix: flags.prefix } : {}),
        roleArn,
        frequency,
        ...(flags.inventoryKmsKey ? { kmsKeyId: flags.inventoryKmsKey } : {}),
        apply: flags.apply === true,
      },
    );
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (!result.applied) {
      process.stderr.write(
        `dry run: nothing changed${result.previous ? ` (rule "${result.rule.id}" exists and would be replaced)` : ''}; add --apply to write the rule\n`,
      );
    }
    return EXIT.ok;
  });
}

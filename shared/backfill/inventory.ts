/**
 * Planning a backfill from bucket inventories (`backfill --inventory [ID]`): find the bucket's inventory
 * rule with the fields the backfill needs, its latest delivered manifest, check that it is fresh enough,
 * and turn its data files into shards (one file, one shard). And the one pure judgement the inventory
 * allows: which rows settle an object without a request.
 *
 * The inventory is hours old and its EncryptionStatus column only says `true` or `false` (it names
 * neither the algorithm nor the key), so it settles an object only where any encryption meets the
 * requirement (`minimum: sse-oss`, `algorithm: AES256`, at least). Every other row (not encrypted, or
 * encrypted where the requirement needs KMS or a particular CMK) gets a HeadObject right before anything
 * is done to it. What the inventory cannot know is reported, never guessed: no rule, no delivery, a
 * delivery older than allowed, a rule that does not cover the run's prefix are errors naming the bucket.
 *
 * Layout (user guide "Bucket inventory"): `<dest prefix>/<bucket>/<id>/YYYY-MM-DDTHH-MMZ/manifest.json`,
 * the folder named for the scan's start (GMT); the manifest lists the data files and their `fileSchema`.
 */

import type { OssGateway } from '../cloud/oss.js';
import type { OssInventory } from '../cloud/oss-inventory.js';
import { ObjectLister } from '../cloud/oss-listing.js';
import type { SseConfig } from '../model.js';
import { unmetReason } from '../policy/levels.js';
import type { ObjectsPolicy } from '../policy/schema.js';
import { BackfillError } from './errors.js';
import type { InventorySource, ShardSpec } from './types.js';

/** A missing, unusable or stale inventory; the message names the bucket and what was expected. */
export class InventoryError extends BackfillError {}

/** The optional fields a rule needs for the backfill to judge from it. */
export const REQUIRED_FIELDS = ['EncryptionStatus', 'ETag', 'Size'] as const;

/** What `--inventory` asks for. */
export interface InventoryRequest {
  /** The rule id; default: the only enabled rule with the required fields. */
  id?: string;
  /** Refuse a delivery older than this (default: the rule's period plus a day: 48 h daily, 192 h weekly). */
  maxAgeHours?: number;
}

/** What a row of the inventory says about an object under `objects.sse`. */
export type RowJudgement = 'compliant' | 'check';

/**
 * Whether the inventory alone settles an encrypted object: only if every kind of encryption the column
 * could stand for (AES256, SM4, KMS under the OSS-managed key) meets the requirement. Pure.
 */
export function encryptedRowSettles(objects: Pick<ObjectsPolicy, 'sse' | 'match'>): boolean {
  const any: SseConfig[] = [{ algorithm: 'AES256' }, { algorithm: 'SM4' }, { algorithm: 'KMS' }];
  return any.every((o) => unmetReason(objects.sse, objects.match, o) === undefined);
}

/** A row's judgement: `compliant` without a request, or `check` with HeadObject. Pure. */
export function judgeRow(encryption: string | undefined, settles: boolean): RowJudgement {
  return encryption === 'true' && settles ? 'compliant' : 'check';
}

/** `2020-05-17T16-00Z` -> Date, or undefined for another name. */
export function parseFolderTime(name: string): Date | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})Z$/.exec(name);
  if (!m) return undefined;
  const d = new Date(`${m[1]}T${m[2]}:${m[3]}:00Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

interface Manifest {
  fileSchema?: unknown;
  files?: Array<{ key?: unknown }>;
}

/** What planning needs: the inventory calls, listing and reading the destination. */
export interface InventoryPlanDeps {
  inventory: OssInventory;
  oss: OssGateway;
}

/** The shards of one bucket from its latest inventory; throws `InventoryError` when it cannot be used. */
export async function planFromInventory(
  deps: InventoryPlanDeps,
  bucket: { name: string; region: string },
  prefix: string,
  req: InventoryRequest,
  now: Date,
): Promise<{ source: InventorySource; shards: ShardSpec[] }> {
  const where = `Bucket "${bucket.name}" (${bucket.region})`;
  const rules = await deps.inventory.list(bucket);
  const usable = rules.filter((r) => r.enabled && REQUIRED_FIELDS.every((f) => r.optionalFields.includes(f)));
  const rule = req.id ? rules.find((r) => r.id === req.id) : usable.length === 1 ? usable[0] : undefined;
  if (!rule) {
    const known = rules.map((r) => r.id).join(', ') || 'none';
    throw new InventoryError(
      req.id
        ? `${where}: no inventory rule "${req.id}" (rules: ${known})`
        : `${where}: ${usable.length === 0 ? 'no enabled' : 'more than one'} inventory rule with ${REQUIRED_FIELDS.join(', ')} (rules: ${known}); run backfill --setup-inventory, or name one with --inventory ID`,
    );
  }
  const missing = REQUIRED_FIELDS.filter((f) => !rule.optionalFields.includes(f));
  if (missing.length > 0) {
    throw new InventoryError(
      `${where}: inventory rule "${rule.id}" lacks the optional fields ${missing.join(', ')}`,
    );
  }
  if (!rule.enabled) throw new InventoryError(`${where}: inventory rule "${rule.id}" is disabled`);
  if (!prefix.startsWith(rule.prefix)) {
    throw new InventoryError(
      `${where}: inventory rule "${rule.id}" covers only keys under "${rule.prefix}"; the run asks for "${prefix}"`,
    );
  }
  // Same account and region as the source (user guide "Bucket inventory").
  const dest = { bucket: rule.destination.bucket, region: bucket.region };
  const base = [rule.destination.prefix.replace(/\/+$/, ''), bucket.name, rule.id].filter(Boolean).join('/');
  const lister = new ObjectLister(deps.oss);
  const { prefixes } = await lister.prefixes(dest, `${base}/`, 100_000);
  const deliveries = prefixes
    .map((p) => ({ p, at: parseFolderTime(p.slice(base.length + 1).replace(/\/$/, '')) }))
    .filter((d): d is { p: string; at: Date } => d.at !== undefined)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const latest = deliveries.at(-1);
  if (!latest) {
    throw new InventoryError(
      `${where}: inventory rule "${rule.id}" has delivered nothing yet under oss://${dest.bucket}/${base}/ (OSS writes the first one within a day or a week)`,
    );
  }
  const ageHours = (now.getTime() - latest.at.getTime()) / 3_600_000;
  const maxAge = req.maxAgeHours ?? (rule.frequency === 'Weekly' ? 8 : 2) * 24;
  if (ageHours > maxAge) {
    throw new InventoryError(
      `${where}: the latest inventory "${rule.id}" was taken ${latest.at.toISOString()} (${ageHours.toFixed(1)} h ago); expected at most ${maxAge} h`,
    );
  }
  const manifestKey = `${latest.p}manifest.json`;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await deps.oss.getObjectText(dest.bucket, manifestKey, dest.region)) as Manifest;
  } catch (cause) {
    throw new InventoryError(`${where}: oss://${dest.bucket}/${manifestKey} could not be read as JSON`, {
      cause,
    });
  }
  const schema =
    typeof manifest.fileSchema === 'string' ? manifest.fileSchema.split(',').map((c) => c.trim()) : [];
  const absent = ['Key', ...REQUIRED_FIELDS].filter((c) => !schema.includes(c));
  if (absent.length > 0 || !Array.isArray(manifest.files)) {
    throw new InventoryError(
      `${where}: oss://${dest.bucket}/${manifestKey} is not a usable manifest (fileSchema lacks ${absent.join(', ') || 'nothing'}; files: ${Array.isArray(manifest.files) ? 'ok' : 'missing'})`,
    );
  }
  if (manifest.files.length === 0) {
    throw new InventoryError(`${where}: oss://${dest.bucket}/${manifestKey} lists no data files`);
  }
  const shards: ShardSpec[] = manifest.files.map((f, i) => {
    if (typeof f.key !== 'string' || f.key === '') {
      throw new InventoryError(`${where}: oss://${dest.bucket}/${manifestKey}: files[${i}] has no key`);
    }
    return {
      id: `${bucket.name}.inv-${String(i).padStart(4, '0')}`,
      bucket: bucket.name,
      region: bucket.region,
      inventory: { bucket: dest.bucket, region: dest.region, key: f.key, schema },
    };
  });
  return {
    source: {
      bucket: bucket.name,
      id: rule.id,
      manifest: `oss://${dest.bucket}/${manifestKey}`,
      scannedAt: latest.at.toISOString(),
      files: shards.length,
    },
    shards,
  };
}

/**
 * `backfill --setup-inventory`: the inventory rule an inventory-driven backfill needs, written with
 * PutBucketInventory (API reference "PutBucketInventory"): CSV into a destination bucket under a prefix,
 * the delivered files encrypted (SSE-OSS, or SSE-KMS with a key), current versions only, and among the
 * optional fields EncryptionStatus, ETag and Size (what the backfill judges and gates its copies on). A
 * dry run unless `apply`: it shows the rule and whether one of that id exists, and changes nothing. After
 * an apply the rule is read back (GetBucketInventory) so the answer is what OSS stored.
 */
import type { InventoryRule, OssInventory } from '../cloud/oss-inventory.js';
import { ConfigError } from '../errors.js';

/** What to set up. */
export interface SetupInventoryRequest {
  bucket: string;
  /** The bucket the inventory files go to (same account and region as `bucket`). */
  destination: string;
  destinationPrefix?: string;
  id?: string;
  /** Only keys under this prefix are inventoried. */
  prefix?: string;
  /** The RAM role OSS assumes to write the files: `acs:ram::<uid>:role/<name>`. */
  roleArn: string;
  frequency?: 'Daily' | 'Weekly';
  /** Encrypt the delivered files with this KMS key (default SSE-OSS). */
  kmsKeyId?: string;
  apply: boolean;
}

/** The result: the rule, whether it was written, and the rule of that id found before. */
export interface SetupInventoryResult {
  bucket: string;
  region: string;
  rule: InventoryRule;
  applied: boolean;
  previous: InventoryRule | null;
  requestId?: string;
}

/** The default rule id. */
export const DEFAULT_INVENTORY_ID = 'oss-sse-guard';

/** Fields delivered: what the backfill needs, and the rest of the documented set that helps triage. */
export const SETUP_FIELDS = [
  'Size',
  'LastModifiedDate',
  'ETag',
  'StorageClass',
  'IsMultipartUploaded',
  'EncryptionStatus',
];

const ROLE_ARN = /^acs:ram::\d{1,32}:role\/[A-Za-z0-9.@-]{1,64}$/;
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The rule for a request; throws `ConfigError` naming a bad field. Pure. */
export function inventoryRuleFor(req: SetupInventoryRequest): InventoryRule {
  if (!BUCKET.test(req.destination))
    throw new ConfigError(`--inventory-bucket: "${req.destination}" is not a bucket name`);
  if (!ROLE_ARN.test(req.roleArn)) {
    throw new ConfigError(`--inventory-role: "${req.roleArn}" must be acs:ram::<account id>:role/<name>`);
  }
  const id = req.id ?? DEFAULT_INVENTORY_ID;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new ConfigError(`--inventory: "${id}" is not an inventory id`);
  const accountId = /^acs:ram::(\d+):/.exec(req.roleArn)?.[1] ?? '';
  return {
    id,
    enabled: true,
    prefix: req.prefix ?? '',
    destination: {
      bucket: req.destination,
      prefix: (req.destinationPrefix ?? 'oss-sse-guard-inventory').replace(/^\/+|\/+$/g, ''),
      accountId,
      roleArn: req.roleArn,
      encryption: req.kmsKeyId ? { kind: 'SSE-KMS', keyId: req.kmsKeyId } : { kind: 'SSE-OSS' },
    },
    frequency: req.frequency ?? 'Weekly',
    includedObjectVersions: 'Current',
    optionalFields: [...SETUP_FIELDS],
  };
}

/** Shows (dry run) or writes the rule. */
export async function setupInventory(
  deps: { inventory: OssInventory; bucketRegion(bucket: string): Promise<string> },
  req: SetupInventoryRequest,
): Promise<SetupInventoryResult> {
  const rule = inventoryRuleFor(req);
  const region = await deps.bucketRegion(req.bucket);
  const destRegion = await deps.bucketRegion(req.destination);
  if (destRegion !== region) {
    throw new ConfigError(
      `--inventory-bucket: "${req.destination}" is in ${destRegion}; the inventory of "${req.bucket}" must go to a bucket in ${region}`,
    );
  }
  const loc = { name: req.bucket, region };
  const previous = await deps.inventory.get(loc, rule.id);
  if (!req.apply) return { bucket: req.bucket, region, rule, applied: false, previous };
  const put = await deps.inventory.put(loc, rule);
  const stored = (await deps.inventory.get(loc, rule.id)) ?? rule;
  return { bucket: req.bucket, region, rule: stored, applied: true, previous, ...put };
}

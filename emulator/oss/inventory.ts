/**
 * Bucket inventory configurations: PutBucketInventory, GetBucketInventory, ListBucketInventory and
 * DeleteBucketInventory, with the validation errors the OSS error center documents. Delivering an
 * inventory (manifest.json and gzipped CSV files) is in inventory-delivery.ts.
 *
 * Sources: OSS API reference "PutBucketInventory", "GetBucketInventory", "ListBucketInventory" (at most
 * 100 rules a page, `continuation-token`, `IsTruncated`, `NextContinuationToken`), "DeleteBucketInventory"
 * (204); error center 0020-00000004 (body not XML or root not InventoryConfiguration), 0020-00000007
 * (no IsEnabled), 0020-00000012 (no Format), 0020-00000016 (both SSE-OSS and SSE-KMS), 0020-00000035
 * (KeyId under SSE-OSS), 0020-00000036 (an invalid OptionalFields item); aliyun-oss-python-sdk
 * tests/test_bucket_inventory.py (NoSuchInventory for a bucket without rules, 120 rules listed as 100 + 20).
 * The error codes of the 0020-* pages are not named there: `InvalidArgument` is inferred (emulator/README.md).
 */
import { type OssContext, type OssReply, type OssRequest, requireBucket, xmlReply } from './context.js';
import { errors, OssError } from './errors.js';
import type { BucketRecord } from './state.js';
import { child, children, parseXml, text, toXml, type XmlElement } from './xml.js';

/** The optional fields PutBucketInventory accepts (API reference "PutBucketInventory", OptionalFields). */
export const INVENTORY_OPTIONAL_FIELDS = [
  'Size',
  'LastModifiedDate',
  'ETag',
  'StorageClass',
  'IsMultipartUploaded',
  'EncryptionStatus',
] as const;
export type InventoryField = (typeof INVENTORY_OPTIONAL_FIELDS)[number];

/** One inventory rule, as stored. */
export interface InventoryConfig {
  id: string;
  isEnabled: boolean;
  prefix: string;
  destination: {
    format: 'CSV';
    accountId: string;
    roleArn: string;
    /** The destination bucket name (`acs:oss:::` stripped). */
    bucket: string;
    prefix: string;
    encryption?: { kind: 'SSE-OSS' } | { kind: 'SSE-KMS'; keyId: string };
  };
  frequency: 'Daily' | 'Weekly';
  includedObjectVersions: 'All' | 'Current';
  optionalFields: InventoryField[];
}

/** Max rules a ListBucketInventory page holds. */
const PAGE = 100;
/** Max rules per bucket through the API (user guide "Bucket inventory", limits). */
const MAX_RULES = 1000;

// Rules per bucket, kept beside the bucket record (the record's shape belongs to state.ts).
const rules = new WeakMap<BucketRecord, Map<string, InventoryConfig>>();

/** The bucket's inventory rules (created empty on first use). */
export function inventoryRules(bucket: BucketRecord): Map<string, InventoryConfig> {
  let m = rules.get(bucket);
  if (!m) {
    m = new Map();
    rules.set(bucket, m);
  }
  return m;
}

const invalid = (ec: string, message: string) => new OssError(400, 'InvalidArgument', message, {}, ec);

const noSuchInventory = () =>
  new OssError(404, 'NoSuchInventory', 'The specified inventory does not exist.', {}, '0020-00000017');

/** Parses and validates a PutBucketInventory body; throws the documented 400s. */
export function parseInventoryConfig(body: Buffer, idInQuery: string): InventoryConfig {
  let doc: Record<string, unknown>;
  try {
    doc = parseXml(body);
  } catch {
    throw new OssError(400, 'MalformedXML', 'The XML you provided was not well-formed.', {}, '0020-00000004');
  }
  const root = child(doc, 'InventoryConfiguration');
  if (!root) {
    throw new OssError(
      400,
      'MalformedXML',
      'The root node must be InventoryConfiguration.',
      {},
      '0020-00000004',
    );
  }
  const id = text(root, 'Id') ?? '';
  if (id === '') throw invalid('0020-00000005', 'The Id node is missing.');
  if (id !== idInQuery)
    throw invalid('0020-00000006', 'The inventory id in the URL does not match the body.');
  const enabled = text(root, 'IsEnabled');
  if (enabled === undefined) throw invalid('0020-00000007', 'The IsEnabled node is missing.');
  if (enabled !== 'true' && enabled !== 'false')
    throw invalid('0020-00000008', 'IsEnabled must be true or false.');
  const dest = child(child(root, 'Destination'), 'OSSBucketDestination');
  if (!dest) throw invalid('0020-00000010', 'The Destination/OSSBucketDestination node is missing.');
  const format = text(dest, 'Format');
  if (format === undefined)
    throw invalid('0020-00000012', 'The Destination/OSSBucketDestination/Format node is missing.');
  if (format !== 'CSV') throw invalid('0020-00000013', `Format "${format}" is not supported; only CSV.`);
  const bucketArn = text(dest, 'Bucket') ?? '';
  if (!bucketArn.startsWith('acs:oss:::') || bucketArn.length === 10) {
    throw invalid('0020-00000014', 'Destination/OSSBucketDestination/Bucket must be acs:oss:::<bucket>.');
  }
  const enc = child(dest, 'Encryption');
  let encryption: InventoryConfig['destination']['encryption'];
  if (enc) {
    const hasOss = enc['SSE-OSS'] !== undefined;
    const hasKms = enc['SSE-KMS'] !== undefined;
    if (hasOss && hasKms) throw invalid('0020-00000016', 'Only one of SSE-OSS and SSE-KMS may be given.');
    if (hasOss) {
      if (text(child(enc, 'SSE-OSS'), 'KeyId') !== undefined) {
        throw invalid('0020-00000035', 'SSE-OSS does not take a KeyId.');
      }
      encryption = { kind: 'SSE-OSS' };
    } else if (hasKms) {
      const keyId = text(child(enc, 'SSE-KMS'), 'KeyId') ?? '';
      if (keyId === '') throw invalid('0020-00000034', 'SSE-KMS needs a KeyId.');
      encryption = { kind: 'SSE-KMS', keyId };
    }
  }
  const frequency = text(child(root, 'Schedule'), 'Frequency');
  if (frequency !== 'Daily' && frequency !== 'Weekly') {
    throw invalid('0020-00000020', 'Schedule/Frequency must be Daily or Weekly.');
  }
  const versions = text(root, 'IncludedObjectVersions');
  if (versions !== 'All' && versions !== 'Current') {
    throw invalid('0020-00000022', 'IncludedObjectVersions must be All or Current.');
  }
  const fields: InventoryField[] = [];
  for (const f of children(child(root, 'OptionalFields'), 'Field')) {
    const name = typeof f === 'string' ? f : '';
    if (!(INVENTORY_OPTIONAL_FIELDS as readonly string[]).includes(name)) {
      throw invalid(
        '0020-00000036',
        `The OptionalFields node contains an invalid item: ${name || '(empty)'}.`,
      );
    }
    if (!fields.includes(name as InventoryField)) fields.push(name as InventoryField);
  }
  return {
    id,
    isEnabled: enabled === 'true',
    prefix: text(child(root, 'Filter'), 'Prefix') ?? '',
    destination: {
      format: 'CSV',
      accountId: text(dest, 'AccountId') ?? '',
      roleArn: text(dest, 'RoleArn') ?? '',
      bucket: bucketArn.slice('acs:oss:::'.length),
      prefix: text(dest, 'Prefix') ?? '',
      ...(encryption ? { encryption } : {}),
    },
    frequency,
    includedObjectVersions: versions,
    optionalFields: fields,
  };
}

/** A rule as `<InventoryConfiguration>` children (GetBucketInventory's body, ListBucketInventory's items). */
function configXml(c: InventoryConfig): XmlElement {
  const d = c.destination;
  const encryption: XmlElement | undefined = d.encryption
    ? d.encryption.kind === 'SSE-OSS'
      ? { 'SSE-OSS': '' }
      : { 'SSE-KMS': { KeyId: d.encryption.keyId } }
    : undefined;
  return {
    Id: c.id,
    IsEnabled: String(c.isEnabled),
    Filter: { Prefix: c.prefix },
    Destination: {
      OSSBucketDestination: {
        Format: d.format,
        AccountId: d.accountId,
        RoleArn: d.roleArn,
        Bucket: `acs:oss:::${d.bucket}`,
        Prefix: d.prefix,
        ...(encryption ? { Encryption: encryption } : {}),
      },
    },
    Schedule: { Frequency: c.frequency },
    IncludedObjectVersions: c.includedObjectVersions,
    OptionalFields: c.optionalFields.length > 0 ? { Field: [...c.optionalFields] } : '',
  };
}

export function putBucketInventory(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:PutBucketInventory');
  const config = parseInventoryConfig(req.body, req.query.get('inventoryId') ?? '');
  const dest = ctx.state.getBucket(config.destination.bucket);
  if (!dest) throw errors.noSuchBucket(config.destination.bucket);
  // User guide "Bucket inventory": source and destination are in the same account and region.
  if (dest.region !== b.region) {
    throw invalid('0020-00000015', 'The destination bucket must be in the same region as the source bucket.');
  }
  const all = inventoryRules(b);
  if (!all.has(config.id) && all.size >= MAX_RULES) {
    throw invalid('0020-00000040', `A bucket holds at most ${MAX_RULES} inventory rules.`);
  }
  all.set(config.id, config);
  return { status: 200 };
}

export function getBucketInventory(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:GetBucketInventory');
  const config = inventoryRules(b).get(req.query.get('inventoryId') ?? '');
  if (!config) throw noSuchInventory();
  return xmlReply(toXml('InventoryConfiguration', configXml(config)));
}

/** ListBucketInventory needs oss:GetBucketInventory (API reference "ListBucketInventory", note). */
export function listBucketInventory(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:GetBucketInventory');
  const ids = [...inventoryRules(b).keys()].sort();
  if (ids.length === 0) throw noSuchInventory();
  const token = req.query.get('continuation-token') ?? '';
  const after = token === '' ? ids : ids.filter((id) => id > token);
  const page = after.slice(0, PAGE);
  const truncated = after.length > page.length;
  const all = inventoryRules(b);
  return xmlReply(
    toXml('ListInventoryConfigurationsResult', {
      InventoryConfiguration: page.map((id) => configXml(all.get(id) as InventoryConfig)),
      IsTruncated: String(truncated),
      ...(token ? { ContinuationToken: token } : {}),
      ...(truncated ? { NextContinuationToken: page.at(-1) as string } : {}),
    }),
  );
}

export function deleteBucketInventory(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:DeleteBucketInventory');
  inventoryRules(b).delete(req.query.get('inventoryId') ?? '');
  return { status: 204 };
}

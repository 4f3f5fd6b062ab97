/**
 * Delivering an inventory, the part OSS does on its own schedule: the emulator does it when asked (an
 * admin call, `deliverInventory`, or the clock tick `deliverDueInventories`), so tests and benchmarks
 * decide when "last night's" inventory was written and what the bucket looked like then.
 *
 * Layout (user guide "Bucket inventory"): in the destination bucket,
 *   <prefix>/<source bucket>/<inventory id>/YYYY-MM-DDTHH-MMZ/manifest.json   (and manifest.checksum)
 *   <prefix>/<source bucket>/<inventory id>/data/<uuid>.csv.gz
 * the folder timestamp being the GMT time the scan started, the data files gzipped CSV, the Key column
 * URL-encoded, the columns named by the manifest's `fileSchema`. Column order: Bucket, Key, then the
 * configured optional fields in the order the API reference lists OptionalFields (Size, LastModifiedDate,
 * ETag, StorageClass, IsMultipartUploaded, EncryptionStatus). The manifest's field
 * names, the quoting of every CSV field, the `true`/`false` values of EncryptionStatus and the split into
 * files of `rowsPerFile` rows are inferred (emulator/README.md, "Inventory").
 */
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  INVENTORY_OPTIONAL_FIELDS,
  type InventoryConfig,
  type InventoryField,
  inventoryRules,
} from './inventory.js';
import type { ObjectSse } from './sse.js';
import type { OssState, StoredObject } from './state.js';

/** The manifest.json of one delivery. */
export interface InventoryManifest {
  sourceBucket: string;
  destinationBucket: string;
  version: string;
  /** Seconds since the epoch, as a string, when the scan started. */
  creationTimestamp: string;
  fileFormat: 'CSV';
  fileSchema: string;
  files: Array<{ key: string; size: number; MD5checksum: string }>;
}

export interface DeliveredInventory {
  manifestKey: string;
  manifest: InventoryManifest;
  /** Rows written (objects inventoried). */
  rows: number;
}

export interface DeliverOptions {
  /** The scan time (default: the state's clock). */
  at?: Date;
  /** Rows per data file (default 1,000,000; OSS splits large inventories into several files). */
  rowsPerFile?: number;
}

/** `2020-05-17T16-00Z`: the manifest folder name for a scan started at `d`. */
export function inventoryFolderTime(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace(':', '-')}Z`;
}

const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;

function fieldValue(field: InventoryField, o: StoredObject): string {
  switch (field) {
    case 'Size':
      return String(o.body.length);
    case 'LastModifiedDate':
      return o.lastModified.toISOString().replace(/\.\d{3}Z$/, 'Z');
    case 'ETag':
      return o.etag.replace(/^"|"$/g, '');
    case 'StorageClass':
      return o.storageClass;
    case 'IsMultipartUploaded':
      return String(o.type === 'Multipart');
    case 'EncryptionStatus':
      return String(o.sse !== undefined);
  }
}

/** The delivered objects' encryption, as the rule's destination Encryption asks. */
function destinationSse(c: InventoryConfig): ObjectSse | undefined {
  const e = c.destination.encryption;
  // No Encryption node: the destination bucket's default applies, as to any upload.
  if (!e) return undefined;
  return e.kind === 'SSE-OSS' ? { algorithm: 'AES256' } : { algorithm: 'KMS', kmsKeyId: e.keyId };
}

/** Writes one inventory of `bucket` for rule `id` into its destination; throws if there is no such rule. */
export function deliverInventory(
  state: OssState,
  bucket: string,
  id: string,
  opts: DeliverOptions = {},
): DeliveredInventory {
  const src = state.getBucket(bucket);
  const config = src ? inventoryRules(src).get(id) : undefined;
  if (!src || !config) throw new Error(`Bucket "${bucket}" has no inventory rule "${id}"`);
  const at = opts.at ?? new Date();
  const rowsPerFile = opts.rowsPerFile ?? 1_000_000;
  const fields = INVENTORY_OPTIONAL_FIELDS.filter((f) => config.optionalFields.includes(f));
  const base = [config.destination.prefix.replace(/\/+$/, ''), bucket, id].filter(Boolean).join('/');
  const sse = destinationSse(config);
  const files: InventoryManifest['files'] = [];
  let lines: string[] = [];
  let rows = 0;
  const flush = (always = false) => {
    if (lines.length === 0 && !always) return;
    const gz = gzipSync(lines.length > 0 ? `${lines.join('\n')}\n` : '');
    const key = `${base}/data/${randomUUID()}.csv.gz`;
    state.putObject(config.destination.bucket, key, gz, {
      contentType: 'application/gzip',
      ...(sse ? { sse } : {}),
    });
    files.push({ key, size: gz.length, MD5checksum: createHash('md5').update(gz).digest('hex') });
    lines = [];
  };
  for (const key of src.keys.from('', config.prefix)) {
    const o = src.objects.get(key);
    if (!o) continue;
    const cells = [bucket, encodeURIComponent(key), ...fields.map((f) => fieldValue(f, o))];
    lines.push(cells.map(quote).join(','));
    rows += 1;
    if (lines.length >= rowsPerFile) flush();
  }
  // An empty bucket still gets one (empty) data file, so every manifest lists at least one (inferred).
  flush(files.length === 0);
  const manifest: InventoryManifest = {
    sourceBucket: bucket,
    destinationBucket: config.destination.bucket,
    version: '2019-09-01',
    creationTimestamp: String(Math.floor(at.getTime() / 1000)),
    fileFormat: 'CSV',
    fileSchema: ['Bucket', 'Key', ...fields].join(', '),
    files,
  };
  const manifestKey = `${base}/${inventoryFolderTime(at)}/manifest.json`;
  const text = JSON.stringify(manifest);
  state.putObject(config.destination.bucket, manifestKey, text, {
    contentType: 'application/json',
    ...(sse ? { sse } : {}),
  });
  const checksum = createHash('md5').update(text).digest('hex');
  state.putObject(
    config.destination.bucket,
    manifestKey.replace(/json$/, 'checksum'),
    checksum,
    sse ? { sse } : {},
  );
  return { manifestKey, manifest, rows };
}

/**
 * The clock tick: delivers every enabled rule of every bucket in `buckets` whose last delivery (as
 * remembered here) is a schedule period (1 day, or 7 days for Weekly) before `at`.
 */
export function deliverDueInventories(
  state: OssState,
  buckets: readonly string[],
  at: Date,
  last: Map<string, number>,
  opts: Omit<DeliverOptions, 'at'> = {},
): DeliveredInventory[] {
  const out: DeliveredInventory[] = [];
  for (const name of buckets) {
    const b = state.getBucket(name);
    if (!b) continue;
    for (const c of inventoryRules(b).values()) {
      if (!c.isEnabled) continue;
      const period = (c.frequency === 'Weekly' ? 7 : 1) * 86_400_000;
      const id = `${name}/${c.id}`;
      const prev = last.get(id);
      if (prev !== undefined && at.getTime() - prev < period) continue;
      out.push(deliverInventory(state, name, c.id, { ...opts, at }));
      last.set(id, at.getTime());
    }
  }
  return out;
}

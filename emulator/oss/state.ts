/**
 * The OSS emulator's in-memory store. Tests and seed scripts use it directly (no HTTP, no signatures);
 * the HTTP handlers use the same methods, so a seeded bucket and one created through ali-oss look alike.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DEMO_ACCOUNT_ID } from '../core/accounts.js';
import { ossServiceKeyId } from '../kms/service-key.js';
import { SortedKeys } from './sorted-keys.js';
import {
  type BucketEncryption,
  type ObjectSse,
  type ServiceKeyId,
  type SseAlgorithm,
  sseFromBucketDefault,
  validateEncryption,
  withServiceKey,
} from './sse.js';

export type Acl = 'private' | 'public-read' | 'public-read-write';
export type Versioning = 'Enabled' | 'Suspended';

/** Standard HTTP headers OSS stores with an object and returns on GET/HEAD. */
export const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
] as const;

export interface StoredObject {
  key: string;
  body: Buffer;
  /** Quoted, upper-case hex: `"5EB63BBBE01EEED093CB22BB8F5ACDC3"` or `"<HEX>-<parts>"` for multipart. */
  etag: string;
  lastModified: Date;
  contentType: string;
  /** User metadata without the `x-oss-meta-` prefix, lower-case names. */
  meta: Record<string, string>;
  tags: Record<string, string>;
  sse?: ObjectSse;
  /** Other stored headers (`cache-control`, `content-disposition`...). */
  headers: Record<string, string>;
  type: 'Normal' | 'Multipart';
  storageClass: string;
  versionId?: string;
}

export interface PartRecord {
  partNumber: number;
  body: Buffer;
  etag: string;
  lastModified: Date;
}

export interface MultipartUpload {
  uploadId: string;
  key: string;
  initiated: Date;
  contentType: string;
  meta: Record<string, string>;
  tags: Record<string, string>;
  headers: Record<string, string>;
  sse?: ObjectSse;
  parts: Map<number, PartRecord>;
}

export interface BucketRecord {
  name: string;
  /** Standard region id, e.g. `cn-hangzhou`. */
  region: string;
  creationDate: Date;
  encryption: BucketEncryption | null;
  tags: Record<string, string>;
  versioning: Versioning | null;
  acl: Acl;
  storageClass: string;
  /** The resource group the bucket belongs to (GetBucketInfo `ResourceGroupId`). */
  resourceGroupId: string;
  objects: Map<string, StoredObject>;
  keys: SortedKeys;
  /** Non-current versions per key, oldest first (versioned buckets only). */
  history: Map<string, StoredObject[]>;
  uploads: Map<string, MultipartUpload>;
}

export interface CreateBucketOptions {
  encryption?: { algorithm: SseAlgorithm; kmsMasterKeyId?: string; kmsDataEncryption?: 'SM4' } | null;
  tags?: Record<string, string>;
  versioning?: Versioning | null;
  acl?: Acl;
  storageClass?: string;
  creationDate?: Date;
  /** Default: the account's default resource group (see `defaultResourceGroupId`). */
  resourceGroupId?: string;
}

export interface PutObjectOptions {
  contentType?: string;
  meta?: Record<string, string>;
  tags?: Record<string, string>;
  /** `undefined`: the bucket default applies (as for an upload without SSE headers); `null`: none. */
  sse?: ObjectSse | null;
  headers?: Record<string, string>;
  lastModified?: Date;
  /** Overrides the computed ETag (multipart completion). */
  etag?: string;
  type?: 'Normal' | 'Multipart';
  storageClass?: string;
}

/** `oss-cn-hangzhou` or `cn-hangzhou` -> `cn-hangzhou`. */
export function standardRegion(region: string): string {
  return region.replace(/^oss-/, '');
}

/** The ETag OSS gives a simple upload: quoted upper-case MD5 hex. */
export function md5Etag(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex').toUpperCase()}"`;
}

/**
 * The id of an account's default resource group, deterministic per account. Real ids look like
 * `rg-acfmxxxxxxxxxxx`; the go-sdk-v2 integration test `TestGetBucketInfo` only asserts it is not empty.
 */
export function defaultResourceGroupId(accountId: string): string {
  return `rg-acfm${createHash('sha256').update(`rg\n${accountId}`).digest('hex').slice(0, 11)}`;
}

export function newVersionId(): string {
  return `CAEQ${randomBytes(12).toString('base64url')}`;
}

export class OssState {
  private readonly buckets = new Map<string, BucketRecord>();
  private readonly names = new SortedKeys();
  private readonly now: () => Date;
  /** The id of a region's OSS service key, stamped on KMS objects written without a key id. */
  readonly serviceKeyId: ServiceKeyId;
  /** The resource group of buckets created without one (the account's default group). */
  readonly defaultResourceGroupId: string;

  constructor(
    now: () => Date = () => new Date(),
    serviceKeyId: ServiceKeyId = (region) => ossServiceKeyId(DEMO_ACCOUNT_ID, region),
    accountId: string = DEMO_ACCOUNT_ID,
  ) {
    this.now = now;
    this.serviceKeyId = serviceKeyId;
    this.defaultResourceGroupId = defaultResourceGroupId(accountId);
  }

  get bucketCount(): number {
    return this.buckets.size;
  }

  /** Creates a bucket in `region` (`cn-hangzhou` or `oss-cn-hangzhou`). Throws if the name is taken. */
  createBucket(name: string, region: string, opts: CreateBucketOptions = {}): BucketRecord {
    if (this.buckets.has(name)) throw new Error(`Bucket "${name}" already exists`);
    const bucket: BucketRecord = {
      name,
      region: standardRegion(region),
      creationDate: opts.creationDate ?? this.now(),
      encryption: opts.encryption ? validateEncryption(opts.encryption) : null,
      tags: { ...(opts.tags ?? {}) },
      versioning: opts.versioning ?? null,
      acl: opts.acl ?? 'private',
      storageClass: opts.storageClass ?? 'Standard',
      resourceGroupId: opts.resourceGroupId ?? this.defaultResourceGroupId,
      objects: new Map(),
      keys: new SortedKeys(),
      history: new Map(),
      uploads: new Map(),
    };
    this.buckets.set(name, bucket);
    this.names.add(name);
    return bucket;
  }

  getBucket(name: string): BucketRecord | undefined {
    return this.buckets.get(name);
  }

  /** Removes a bucket and everything in it. Returns whether it existed. */
  deleteBucket(name: string): boolean {
    if (!this.buckets.delete(name)) return false;
    this.names.delete(name);
    return true;
  }

  /** One page of buckets in name order: names after `marker` starting with `prefix`. */
  pageBuckets(
    prefix: string,
    marker: string,
    maxKeys: number,
    filter: (b: BucketRecord) => boolean = () => true,
  ): { buckets: BucketRecord[]; truncated: boolean } {
    const buckets: BucketRecord[] = [];
    for (const name of this.names.from(marker, prefix)) {
      const b = this.buckets.get(name);
      if (!b || !filter(b)) continue;
      if (buckets.length === maxKeys) return { buckets, truncated: true };
      buckets.push(b);
    }
    return { buckets, truncated: false };
  }

  /** Sets (or with `null` removes) a bucket's default encryption, validated as PutBucketEncryption. */
  setEncryption(name: string, rule: CreateBucketOptions['encryption']): void {
    this.mustGet(name).encryption = rule ? validateEncryption(rule) : null;
  }

  setTags(name: string, tags: Record<string, string>): void {
    this.mustGet(name).tags = { ...tags };
  }

  setVersioning(name: string, status: Versioning | null): void {
    this.mustGet(name).versioning = status;
  }

  /** Stores an object, as an upload would (the bucket default SSE applies unless `sse` is given). */
  putObject(bucket: string, key: string, body: Buffer | string, opts: PutObjectOptions = {}): StoredObject {
    const b = this.mustGet(bucket);
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    const requested = opts.sse === null ? undefined : (opts.sse ?? sseFromBucketDefault(b.encryption));
    const sse = withServiceKey(requested, b.region, this.serviceKeyId);
    const obj: StoredObject = {
      key,
      body: bytes,
      etag: opts.etag ?? md5Etag(bytes),
      lastModified: opts.lastModified ?? this.now(),
      contentType: opts.contentType ?? 'application/octet-stream',
      meta: { ...(opts.meta ?? {}) },
      tags: { ...(opts.tags ?? {}) },
      headers: { ...(opts.headers ?? {}) },
      type: opts.type ?? 'Normal',
      storageClass: opts.storageClass ?? 'Standard',
    };
    if (sse) obj.sse = sse;
    const previous = b.objects.get(key);
    if (b.versioning === 'Enabled') {
      obj.versionId = newVersionId();
      if (previous) b.history.set(key, [...(b.history.get(key) ?? []), previous]);
    } else if (b.versioning === 'Suspended') {
      obj.versionId = 'null';
      if (previous && previous.versionId !== 'null')
        b.history.set(key, [...(b.history.get(key) ?? []), previous]);
    }
    b.objects.set(key, obj);
    b.keys.add(key);
    return obj;
  }

  getObject(bucket: string, key: string, versionId?: string): StoredObject | undefined {
    const b = this.buckets.get(bucket);
    if (!b) return undefined;
    const current = b.objects.get(key);
    if (versionId === undefined || current?.versionId === versionId) return current;
    return b.history.get(key)?.find((o) => o.versionId === versionId);
  }

  /** Removes the current version of an object. Returns whether it existed. */
  deleteObject(bucket: string, key: string): boolean {
    const b = this.buckets.get(bucket);
    const current = b?.objects.get(key);
    if (!b || !current) return false;
    if (b.versioning) b.history.set(key, [...(b.history.get(key) ?? []), current]);
    b.objects.delete(key);
    b.keys.delete(key);
    return true;
  }

  /** How many versions (current and older) of `key` the bucket keeps. */
  versionCount(bucket: string, key: string): number {
    const b = this.buckets.get(bucket);
    if (!b) return 0;
    return (b.objects.has(key) ? 1 : 0) + (b.history.get(key)?.length ?? 0);
  }

  private mustGet(name: string): BucketRecord {
    const b = this.buckets.get(name);
    if (!b) throw new Error(`Bucket "${name}" does not exist`);
    return b;
  }
}

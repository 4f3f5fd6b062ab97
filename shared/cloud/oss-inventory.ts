/**
 * The bucket inventory calls of the OSS gateway: PutBucketInventory, GetBucketInventory and
 * ListBucketInventory through ali-oss 6.x's own methods (lib/common/bucket/*BucketInventory.js), and
 * reading the delivered files (GetObject as a stream). Results become our `InventoryRule`; the SDK's
 * shapes (`OSSBucketDestination.rolename`, `optionalFields.field`, `IsEnabled` as a string in lists) stop
 * here. A bucket without rules answers 404 NoSuchInventory, which is an answer (no rules), not a failure.
 */

import type { OssGateway } from './oss.js';
import type { BucketLocation } from './oss-buckets.js';
import { coreOf, type OssCore } from './oss-core.js';
import type { RetryOptions } from './retry.js';

/** One inventory rule, in our words. */
export interface InventoryRule {
  id: string;
  enabled: boolean;
  /** Only objects under this prefix are inventoried ('' = all). */
  prefix: string;
  destination: {
    bucket: string;
    prefix: string;
    accountId: string;
    /** The RAM role OSS assumes to write the files: `acs:ram::<uid>:role/<name>`. */
    roleArn: string;
    encryption?: { kind: 'SSE-OSS' } | { kind: 'SSE-KMS'; keyId: string };
  };
  frequency: 'Daily' | 'Weekly';
  includedObjectVersions: 'All' | 'Current';
  optionalFields: string[];
}

/** ali-oss's inventory shape (lib/common/utils/formatInventoryConfig.js; putBucketInventory's argument). */
interface SdkInventory {
  id: string;
  isEnabled: boolean | string;
  prefix?: string;
  OSSBucketDestination: {
    format: string;
    accountId: string;
    rolename: string;
    bucket: string;
    prefix?: string;
    encryption?: Record<string, unknown> | string;
  };
  frequency: string;
  includedObjectVersions: string;
  optionalFields?: { field?: string[] | string };
}

interface InventoryClient {
  putBucketInventory(
    bucket: string,
    inventory: SdkInventory,
  ): Promise<{ res: { headers: Record<string, string> } }>;
  getBucketInventory(bucket: string, id: string): Promise<{ inventory: SdkInventory }>;
  listBucketInventory(
    bucket: string,
    options: { continuationToken?: string },
  ): Promise<{ isTruncated: boolean; nextContinuationToken?: string; inventoryList: SdkInventory[] }>;
  getStream(key: string): Promise<{ stream: AsyncIterable<Buffer> }>;
}

function fromSdk(s: SdkInventory): InventoryRule {
  const d = s.OSSBucketDestination;
  const enc = typeof d.encryption === 'object' && d.encryption !== null ? d.encryption : {};
  const kms = enc['SSE-KMS'] as { keyId?: string; KeyId?: string } | undefined;
  const field = s.optionalFields?.field;
  return {
    id: String(s.id),
    enabled: s.isEnabled === true || s.isEnabled === 'true',
    prefix: typeof s.prefix === 'string' ? s.prefix : '',
    destination: {
      bucket: d.bucket,
      prefix: typeof d.prefix === 'string' ? d.prefix : '',
      accountId: String(d.accountId ?? ''),
      roleArn: `acs:ram::${d.accountId}:role/${d.rolename}`,
      ...('SSE-OSS' in enc
        ? { encryption: { kind: 'SSE-OSS' as const } }
        : kms
          ? { encryption: { kind: 'SSE-KMS' as const, keyId: String(kms.keyId ?? kms.KeyId ?? '') } }
          : {}),
    },
    frequency: s.frequency === 'Weekly' ? 'Weekly' : 'Daily',
    includedObjectVersions: s.includedObjectVersions === 'All' ? 'All' : 'Current',
    optionalFields: field === undefined ? [] : Array.isArray(field) ? field : [field],
  };
}

function toSdk(r: InventoryRule): SdkInventory {
  const role = /^acs:ram::(\d+):role\/(.+)$/.exec(r.destination.roleArn);
  const e = r.destination.encryption;
  return {
    id: r.id,
    isEnabled: r.enabled,
    prefix: r.prefix,
    OSSBucketDestination: {
      format: 'CSV',
      accountId: role?.[1] ?? r.destination.accountId,
      rolename: role?.[2] ?? r.destination.roleArn,
      bucket: r.destination.bucket,
      prefix: r.destination.prefix,
      ...(e
        ? { encryption: e.kind === 'SSE-OSS' ? { 'SSE-OSS': '' } : { 'SSE-KMS': { KeyId: e.keyId } } }
        : {}),
    },
    frequency: r.frequency,
    includedObjectVersions: r.includedObjectVersions,
    optionalFields: { field: [...r.optionalFields] },
  };
}

const isNoSuchInventory = (err: unknown) => (err as { code?: string }).code === 'NoSuchInventory';

/** Inventory rules and delivered files of buckets, through the gateway's retries and error mapping. */
export class OssInventory {
  private readonly core: OssCore;

  constructor(
    gateway: OssGateway,
    private readonly retry?: RetryOptions,
  ) {
    this.core = coreOf(gateway);
  }

  private client(b: BucketLocation): InventoryClient {
    return this.core.client(b.region, b.name) as unknown as InventoryClient;
  }

  /** Every rule of the bucket (ListBucketInventory, paged); `[]` for 404 NoSuchInventory. */
  async list(b: BucketLocation): Promise<InventoryRule[]> {
    const out: InventoryRule[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.core.call(
          `Bucket "${b.name}" (${b.region}): ListBucketInventory`,
          () => this.client(b).listBucketInventory(b.name, token ? { continuationToken: token } : {}),
          this.retry,
        );
        out.push(...(page.inventoryList ?? []).map(fromSdk));
        token = page.isTruncated ? page.nextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      if (isNoSuchInventory(err)) return [];
      throw err;
    }
    return out;
  }

  /** One rule (GetBucketInventory); `null` for 404 NoSuchInventory. */
  async get(b: BucketLocation, id: string): Promise<InventoryRule | null> {
    try {
      const r = await this.core.call(
        `Bucket "${b.name}" (${b.region}): GetBucketInventory "${id}"`,
        () => this.client(b).getBucketInventory(b.name, id),
        this.retry,
      );
      return fromSdk(r.inventory);
    } catch (err) {
      if (isNoSuchInventory(err)) return null;
      throw err;
    }
  }

  /** Creates or replaces a rule (PutBucketInventory). */
  async put(b: BucketLocation, rule: InventoryRule): Promise<{ requestId?: string }> {
    const r = await this.core.call(
      `Bucket "${b.name}" (${b.region}): PutBucketInventory "${rule.id}"`,
      () => this.client(b).putBucketInventory(b.name, toSdk(rule)),
      this.retry,
    );
    const id = r.res?.headers?.['x-oss-request-id'];
    return typeof id === 'string' ? { requestId: id } : {};
  }

  /** A delivered file's bytes as a stream (GetObject), retried until the answer starts. */
  async open(b: BucketLocation, key: string): Promise<AsyncIterable<Buffer>> {
    const r = await this.core.call(
      `Object "${key}" in bucket "${b.name}" (${b.region}): GetObject`,
      () => this.client(b).getStream(key),
      this.retry,
    );
    return r.stream;
  }
}

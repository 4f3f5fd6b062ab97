/**
 * What the audit needs from the outside world, as narrow interfaces. The gateways in `shared/cloud/`
 * satisfy them; tests pass the same gateways pointed at the emulators.
 */
import type { Logger } from 'pino';
import type { BucketLocation, BucketSummary } from '../cloud/oss.js';
import type { RetryOptions } from '../cloud/retry.js';
import type { SseConfig } from '../model.js';

export interface AuditOss {
  listBuckets(query?: { prefix?: string; pageSize?: number }): AsyncGenerator<BucketSummary[]>;
  getBucketEncryption(b: BucketLocation, retry?: RetryOptions): Promise<SseConfig | null>;
  putBucketEncryption(
    b: BucketLocation,
    cfg: SseConfig,
    retry?: RetryOptions,
  ): Promise<{ requestId?: string }>;
  getBucketTags(b: BucketLocation, retry?: RetryOptions): Promise<Record<string, string>>;
}

/** A KMS key as DescribeKey describes it (the pre-flight and every verdict that looks at a key). */
export interface KeyInfo {
  keyId: string;
  arn: string;
  /** Enabled | Disabled | PendingDeletion | PendingImport ... */
  state: string;
  /** The key's region, from its ARN. */
  region: string;
  /** DescribeKey `Creator`: the account id for a customer key, the service code (`OSS`) for a service key. */
  creator?: string;
  /** A cloud service's own key (the OSS service key, alias `alias/acs/oss`), not a customer CMK. */
  serviceKey?: boolean;
  /** DescribeKey `Origin`: Aliyun_KMS | EXTERNAL (imported material). */
  origin?: string;
  /** DescribeKey `ProtectionLevel`: SOFTWARE | HSM. */
  protectionLevel?: string;
}

export interface KeyInspector {
  /** Describes a key id, ARN or alias in a region; throws a CloudError (code Forbidden.KeyNotFound...) otherwise. */
  describeKey(ref: string, region: string): Promise<KeyInfo>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface AuditDeps {
  oss: AuditOss;
  kms: KeyInspector;
  logger: Logger;
  clock?: Clock;
}

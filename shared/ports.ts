/**
 * The small shared ports that several areas need (the audit, the upload guard, the backfill, the watch)
 * and that the gateways in `shared/cloud/` implement. This module sits at the bottom of the layers: it
 * imports nothing of the project, so any area may import it without making a cycle
 * (docs/architecture.md).
 */

/** Where the time comes from; tests inject one to drive deadlines and expiries. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

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

/** Per-call options of a key lookup. */
export interface KeyCallOptions {
  /** Epoch ms: no attempt outlives it (its timeout is what is left). */
  deadline?: number;
}

export interface KeyInspector {
  /** Describes a key id, ARN or alias in a region; throws a CloudError (code Forbidden.KeyNotFound...) otherwise. */
  describeKey(ref: string, region: string, opts?: KeyCallOptions): Promise<KeyInfo>;
}

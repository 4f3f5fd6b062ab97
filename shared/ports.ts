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

/** A KMS key as the verdicts and the pre-flight see it. */
export interface KeyInfo {
  keyId: string;
  arn: string;
  /** Enabled | Disabled | PendingDeletion | PendingImport ... */
  state: string;
  /** The key's region, from its ARN. */
  region: string;
}

export interface KeyInspector {
  /** Describes a key id, ARN or alias in a region; throws a CloudError (code Forbidden.KeyNotFound...) otherwise. */
  describeKey(ref: string, region: string): Promise<KeyInfo>;
}

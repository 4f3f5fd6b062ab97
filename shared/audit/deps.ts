/**
 * What the audit needs from the outside world, as narrow interfaces. The gateways in `shared/cloud/`
 * satisfy them; tests pass the same gateways pointed at the emulators.
 */
import type { Logger } from 'pino';
import type { BucketLocation, BucketSummary } from '../cloud/oss.js';
import type { RetryOptions } from '../cloud/retry.js';
import type { SseConfig } from '../model.js';
import type { Clock, KeyInspector } from '../ports.js';

export interface AuditOss {
  listBuckets(query?: {
    prefix?: string;
    pageSize?: number;
    deadline?: number;
  }): AsyncGenerator<BucketSummary[]>;
  getBucketEncryption(b: BucketLocation, retry?: RetryOptions): Promise<SseConfig | null>;
  putBucketEncryption(
    b: BucketLocation,
    cfg: SseConfig,
    retry?: RetryOptions,
  ): Promise<{ requestId?: string }>;
  getBucketTags(b: BucketLocation, retry?: RetryOptions): Promise<Record<string, string>>;
}

// The ports moved to shared/ports.ts (the bottom layer); re-exported here for the audit's callers.
export type { Clock, KeyCallOptions, KeyInfo, KeyInspector } from '../ports.js';
export { systemClock } from '../ports.js';

export interface AuditDeps {
  oss: AuditOss;
  kms: KeyInspector;
  logger: Logger;
  clock?: Clock;
}

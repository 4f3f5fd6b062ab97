/**
 * Proposal B measured without editing shared/cloud/oss.ts: the gateway whose getBucketEncryption reads
 * through `DirectEncryptionReader` (bench/proposals/oss-direct.ts), exactly as the oss.ts diff in
 * bench/PROPOSALS.md does. Everything else is the shipped gateway.
 */
import type { BucketLocation } from '../../shared/cloud/oss.js';
import type { RetryOptions } from '../../shared/cloud/retry.js';
import type { SseConfig } from '../../shared/model.js';
import { LimitedGateway, type LimitedGatewayOptions } from './limited-gateway.js';
import { DirectEncryptionReader } from './oss-direct.js';

export class DirectEncryptionGateway extends LimitedGateway {
  private readonly direct: DirectEncryptionReader;

  constructor(opts: LimitedGatewayOptions) {
    super(opts);
    this.direct = new DirectEncryptionReader(opts);
  }

  override getBucketEncryption(b: BucketLocation, retry?: RetryOptions): Promise<SseConfig | null> {
    const subject = `Bucket "${b.name}" (${b.region}): GetBucketEncryption`;
    return this.call(subject, () => this.direct.read(b), retry);
  }
}

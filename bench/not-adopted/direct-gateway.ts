/**
 * NOT ADOPTED (hand-written signing), kept as an optional comparison: Proposal B, GetBucketEncryption as
 * one direct signed GET (bench/not-adopted/oss-direct.ts, signed by oss-sign.ts) instead of ali-oss's
 * generic request path. The project signs through ali-oss, a maintained library, rather than with code
 * of its own; this measures what that choice costs per request. Everything else is the shipped gateway,
 * the adaptive limit and retries included (`call` is inherited).
 */
import { type BucketLocation, OssGateway, type OssGatewayOptions } from '../../shared/cloud/oss.js';
import type { RetryOptions } from '../../shared/cloud/retry.js';
import type { SseConfig } from '../../shared/model.js';
import { DirectEncryptionReader } from './oss-direct.js';

export class DirectEncryptionGateway extends OssGateway {
  private readonly direct: DirectEncryptionReader;

  constructor(opts: OssGatewayOptions) {
    super(opts);
    this.direct = new DirectEncryptionReader(opts);
  }

  override getBucketEncryption(b: BucketLocation, retry?: RetryOptions): Promise<SseConfig | null> {
    const subject = `Bucket "${b.name}" (${b.region}): GetBucketEncryption`;
    return this.call(subject, () => this.direct.read(b), retry);
  }
}

/**
 * NOT ADOPTED (hand-written signing), kept as an optional comparison: Proposal B, GetBucketEncryption as
 * one direct signed GET (bench/not-adopted/oss-direct.ts, signed by oss-sign.ts) instead of ali-oss's
 * generic request path. The project signs through ali-oss, a maintained library, rather than with code
 * of its own; this measures what that choice costs per request. Everything else is the shipped gateway,
 * the adaptive limit and retries included (the reader is handed over as `encryptionReader`, which the
 * gateway runs through its own call core).
 */
import { OssGateway, type OssGatewayOptions } from '../../shared/cloud/oss.js';
import { DirectEncryptionReader } from './oss-direct.js';

export class DirectEncryptionGateway extends OssGateway {
  constructor(opts: OssGatewayOptions) {
    super({ ...opts, encryptionReader: new DirectEncryptionReader(opts) });
  }
}

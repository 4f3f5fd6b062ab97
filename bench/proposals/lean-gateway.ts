/**
 * Proposal A, measured here without touching shared/cloud/oss.ts: GetBucketEncryption through ali-oss's
 * signed generic request path with 404 counted as an answer, and the few XML elements read by a small
 * scanner, instead of `getBucketEncryption` (xml2js on every 200) and the error path (xml2js again on
 * every 404 `NoSuchServerSideEncryptionRule`, plus an Error with a stack trace). Same signing, same
 * agent, same retries; the result is the same `SseConfig | null` and other 404s stay `CloudError`s.
 */
import { type BucketLocation, parseEncryption } from '../../shared/cloud/oss.js';
import type { RetryOptions } from '../../shared/cloud/retry.js';
import type { SseConfig } from '../../shared/model.js';
import { LimitedGateway } from './limited-gateway.js';
import { elementText } from './oss-direct.js';

/** ali-oss's generic signed request path (the gateway uses it for PutBucketEncryption already). */
interface RequestCapable {
  request(params: {
    method: string;
    bucket: string;
    subres: string;
    successStatuses: number[];
  }): Promise<{ status: number; data?: Buffer; res: { headers: Record<string, string> } }>;
}

export class LeanEncryptionGateway extends LimitedGateway {
  override async getBucketEncryption(b: BucketLocation, retry?: RetryOptions): Promise<SseConfig | null> {
    const subject = `Bucket "${b.name}" (${b.region}): GetBucketEncryption`;
    const client = this.client(b.region) as unknown as RequestCapable;
    return this.call(
      subject,
      async () => {
        const result = await client.request({
          method: 'GET',
          bucket: b.name,
          subres: 'encryption',
          successStatuses: [200, 404],
        });
        const xml = result.data ? result.data.toString('utf8') : '';
        if (result.status === 200) {
          return parseEncryption({
            SSEAlgorithm: elementText(xml, 'SSEAlgorithm'),
            KMSMasterKeyID: elementText(xml, 'KMSMasterKeyID'),
            KMSDataEncryption: elementText(xml, 'KMSDataEncryption'),
          });
        }
        const code = elementText(xml, 'Code') ?? 'NoSuchBucket';
        if (code === 'NoSuchServerSideEncryptionRule') return null;
        // Any other 404 (NoSuchBucket...) is thrown in ali-oss's error shape, so `call` normalises it as usual.
        throw Object.assign(new Error(elementText(xml, 'Message') ?? 'Not Found'), {
          name: `${code}Error`,
          code,
          status: 404,
          requestId: elementText(xml, 'RequestId') ?? result.res.headers['x-oss-request-id'],
          ecCode: elementText(xml, 'EC'),
        });
      },
      retry,
    );
  }
}

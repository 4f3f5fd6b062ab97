/**
 * Harmless OSS calls for `doctor`: each asks OSS whether a RAM action is granted without changing
 * anything. PutBucketEncryption has no dry run, so the probe sends a rule with no
 * `<ApplyServerSideEncryptionByDefault>`: OSS authorizes the request before it reads the body, so a
 * caller without the permission gets 403 AccessDenied, one with it gets 400 MalformedXML, and the bucket
 * is never changed either way (the ordering is inferred from OSS's error documentation; docs/doctor.md).
 */
import { CloudError } from '../errors.js';
import type { OssGateway } from './oss.js';
import type { BucketLocation } from './oss-buckets.js';
import type { RequestCapable } from './oss-client.js';
import { coreOf } from './oss-core.js';

/** The empty rule: valid XML, not a valid encryption configuration. */
const INCOMPLETE_RULE =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionRule></ServerSideEncryptionRule>';

/** Granted, or denied (403 AccessDenied, with its request id); any other failure is thrown as a CloudError. */
export async function probePutBucketEncryption(
  gateway: OssGateway,
  b: BucketLocation,
): Promise<{ granted: boolean; requestId?: string }> {
  const oss = coreOf(gateway);
  const client = oss.client(b.region) as unknown as RequestCapable;
  try {
    await oss.call(
      `Bucket "${b.name}" (${b.region}): PutBucketEncryption (doctor probe, invalid rule)`,
      () =>
        client.request({
          method: 'PUT',
          bucket: b.name,
          subres: 'encryption',
          content: Buffer.from(INCOMPLETE_RULE),
          mime: 'xml',
          // Never a success: a 200 would mean OSS accepted an empty rule (then nothing was set either).
          successStatuses: [200],
        }),
      { maxAttempts: 1 },
    );
    return { granted: true };
  } catch (err) {
    if (err instanceof CloudError && (err.code === 'MalformedXML' || err.code === 'InvalidArgument'))
      return { granted: true };
    if (err instanceof CloudError && err.code === 'AccessDenied')
      return { granted: false, ...(err.requestId ? { requestId: err.requestId } : {}) };
    throw err;
  }
}

/**
 * The one core every gateway's error converter shares: what an SDK threw, read into a few facts by that
 * SDK's own reader (oss-errors.ts, kms.ts, fc.ts: each SDK shapes its errors differently, and only
 * those readers know how), becomes a `CloudError` with one message format and one retry rule. So an
 * OSS, a KMS and a Function Compute failure read alike and are retried alike.
 */
import { CloudError } from '../errors.js';

/** What an SDK reader found in a thrown value. */
export interface CloudErrorFacts {
  code: string;
  /** The HTTP status; -1 when no answer came (network failure, timeout); 0 when the SDK refused the call. */
  status: number;
  requestId?: string;
  /** The service's (or the socket's) own words, one line, secret-free; omitted when there are none. */
  detail?: string;
  /** No answer came back: the call may not have reached the service, so another attempt may succeed. */
  network: boolean;
}

/**
 * `Subject: Code (status): detail, request id X`, retryable on a network failure, 5xx, 429 or a code
 * the service uses for throttling (`isThrottling`). A `CloudError` passes through unchanged.
 */
export function toCloudErrorWith(
  err: unknown,
  subject: string,
  read: (err: unknown) => CloudErrorFacts,
  isThrottling: (code: string) => boolean,
): CloudError {
  if (err instanceof CloudError) return err;
  const { code, status, requestId, detail, network } = read(err);
  const retryable = network || status >= 500 || status === 429 || isThrottling(code);
  return new CloudError(
    `${subject}: ${code} (${status})${detail ? `: ${detail}` : ''}${requestId ? `, request id ${requestId}` : ''}`,
    { code, status, retryable, ...(requestId ? { requestId } : {}) },
    { cause: err },
  );
}

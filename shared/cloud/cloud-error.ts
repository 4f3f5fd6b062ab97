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
  /** For a failure without an answer: one readable sentence (network-errors.ts) and where it went. */
  unreachable?: { sentence: string; code?: string; endpoint?: string };
  /** Refused for want of a permission: the message says where to look. */
  denied?: boolean;
}

const DENIED_HINT = 'check that the RAM policy grants this call (oss-sse-guard ram-policy prints it)';

/**
 * `Subject: Code (status): detail, request id X` (or the readable sentence of a failure without an
 * answer, or a hint where a permission is missing), retryable on a network failure, 5xx, 429 or a code
 * the service uses for throttling (`isThrottling`). A `CloudError` passes through unchanged.
 */
export function toCloudErrorWith(
  err: unknown,
  subject: string,
  read: (err: unknown) => CloudErrorFacts,
  isThrottling: (code: string) => boolean,
): CloudError {
  if (err instanceof CloudError) return err;
  const { code, status, requestId, detail, network, unreachable, denied } = read(err);
  const retryable = network || status >= 500 || status === 429 || isThrottling(code);
  const rid = requestId ? `, request id ${requestId}` : '';
  // One sentence instead of the SDK's agent dump (which stays on `cause`, for the debug log).
  const message = unreachable
    ? `${subject}: ${unreachable.endpoint ? `endpoint ${unreachable.endpoint}: ` : ''}${unreachable.sentence} (${unreachable.code ?? code})`
    : `${subject}: ${code} (${status})${detail ? `: ${detail}` : ''}${denied ? `${detail ? ' ' : ': '}${DENIED_HINT}` : ''}${rid}`;
  return new CloudError(
    message,
    { code, status, retryable, ...(requestId ? { requestId } : {}) },
    { cause: err },
  );
}

/**
 * Whether an error code is a Tea/RPC service's throttling answer (KMS, STS, Resource Manager: `Throttling`,
 * `Throttling.User`, ...). KMS answers it with HTTP 400, so a status-only test misses it.
 */
export function isThrottlingCode(code: string): boolean {
  return /^Throttling/.test(code);
}

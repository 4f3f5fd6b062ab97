/**
 * Turns what ali-oss throws into a `CloudError`. ali-oss errors carry `code`, `status`, `requestId`,
 * `ecCode`; network failures have status -1 (and -2 for timeouts) or a `...TimeoutError` name.
 */
import { CloudError } from '../errors.js';

/** OSS throttling codes (HTTP 503) and other answers worth retrying. */
export const OSS_THROTTLING_CODES = new Set([
  'MetaOperationQpsLimitExceeded',
  'TotalQpsLimitExceeded',
  'QpsLimitExceeded',
  'DownloadTrafficRateLimitExceeded',
  'UploadTrafficRateLimitExceeded',
  'RequestTimeout',
]);

interface AliOssErrorShape {
  name?: string;
  message?: string;
  code?: string;
  status?: number;
  requestId?: string;
  ecCode?: string;
}

export function isNetworkError(e: AliOssErrorShape): boolean {
  return e.status === -1 || e.status === -2 || /Timeout|Connection|Socket|RequestError/i.test(e.name ?? '');
}

export function toCloudError(err: unknown, subject: string): CloudError {
  if (err instanceof CloudError) return err;
  const e = (err ?? {}) as AliOssErrorShape;
  const network = isNetworkError(e) && !(typeof e.status === 'number' && e.status >= 400);
  const status = typeof e.status === 'number' ? e.status : network ? -1 : 0;
  // No status and no network failure: ali-oss refused the call itself (e.g. an invalid bucket name).
  const fallback = network
    ? (e.name ?? 'NetworkError')
    : status === 0
      ? 'ClientError'
      : (e.name ?? 'UnknownError');
  const code = e.code ?? fallback;
  const retryable = network || status >= 500 || status === 429 || OSS_THROTTLING_CODES.has(code);
  // ali-oss appends hints with URLs to timeout messages; keep the first clause only.
  const detail = (e.message ?? String(err)).split(', please')[0]?.split('\n')[0] ?? '';
  const rid = e.requestId ? `, request id ${e.requestId}` : '';
  return new CloudError(
    `${subject}: ${code} (${status})${detail ? `: ${detail}` : ''}${rid}`,
    {
      code,
      status,
      requestId: e.requestId,
      retryable,
    },
    { cause: err },
  );
}

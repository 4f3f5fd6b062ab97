/**
 * Turns what ali-oss throws into a `CloudError`. ali-oss errors carry `code`, `status`, `requestId`,
 * `ecCode`; network failures have status -1 (and -2 for timeouts) or a `...TimeoutError` name.
 */
import { CloudError } from '../errors.js';
import { describeNetworkError } from './network-errors.js';

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
  const problem = network ? describeNetworkError(err) : undefined;
  const message = problem
    ? // One sentence instead of ali-oss's agent dump (which stays on `cause`, for the debug log).
      `${subject}: ${endpointOf(e.message)}${problem.sentence} (${problem.code ?? code})`
    : status === 403 && code === 'AccessDenied'
      ? `${subject}: AccessDenied (403): ${detail ? `${detail} ` : ''}check that the RAM policy grants this call (oss-sse-guard ram-policy prints it)${rid}`
      : `${subject}: ${code} (${status})${detail ? `: ${detail}` : ''}${rid}`;
  return new CloudError(
    message,
    {
      code,
      status,
      requestId: e.requestId,
      retryable,
    },
    { cause: err },
  );
}

/** `endpoint http://host:port: ` from ali-oss's `..., GET http://host/path?query -1 (...)`; the query is left out. */
function endpointOf(message: string | undefined): string {
  const m = /, (?:GET|PUT|POST|HEAD|DELETE) (https?:\/\/[^/\s?]+)/.exec(message ?? '');
  return m ? `endpoint ${m[1]}: ` : '';
}

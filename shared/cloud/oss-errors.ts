/**
 * Turns what ali-oss throws into a `CloudError`. ali-oss errors carry `code`, `status`, `requestId`,
 * `ecCode`; network failures have status -1 (and -2 for timeouts) or a `...TimeoutError` name.
 */
import type { CloudError } from '../errors.js';
import { type CloudErrorFacts, toCloudErrorWith } from './cloud-error.js';
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

/** What ali-oss threw, as the facts the shared converter needs. */
function readOssError(err: unknown): CloudErrorFacts {
  const e = (err ?? {}) as AliOssErrorShape;
  const network = isNetworkError(e) && !(typeof e.status === 'number' && e.status >= 400);
  const status = typeof e.status === 'number' ? e.status : network ? -1 : 0;
  // No status and no network failure: ali-oss refused the call itself (e.g. an invalid bucket name).
  const fallback = network
    ? (e.name ?? 'NetworkError')
    : status === 0
      ? 'ClientError'
      : (e.name ?? 'UnknownError');
  // ali-oss appends hints with URLs to timeout messages; keep the first clause only.
  const detail = (e.message ?? String(err)).split(', please')[0]?.split('\n')[0] ?? '';
  const code = e.code ?? fallback;
  const problem = network ? describeNetworkError(err) : undefined;
  const endpoint = endpointOf(e.message);
  return {
    code,
    status,
    requestId: e.requestId,
    detail,
    network,
    ...(problem ? { unreachable: { ...problem, ...(endpoint ? { endpoint } : {}) } } : {}),
    denied: status === 403 && code === 'AccessDenied',
  };
}

/** Turns what ali-oss throws into a `CloudError` naming `subject`. */
export function toCloudError(err: unknown, subject: string): CloudError {
  return toCloudErrorWith(err, subject, readOssError, (code) => OSS_THROTTLING_CODES.has(code));
}

/** `http://host:port` from ali-oss's `..., GET http://host/path?query -1 (...)`; the query is left out. */
function endpointOf(message: string | undefined): string | undefined {
  const m = /, (?:GET|PUT|POST|HEAD|DELETE) (https?:\/\/[^/\s?]+)/.exec(message ?? '');
  return m?.[1];
}

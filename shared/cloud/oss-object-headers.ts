/**
 * The pure side of object operations: how SSE, ETags and stored headers read and write as OSS object
 * headers, and how a multipart copy is cut into parts. No calls here; oss-objects.ts makes them.
 */
import { CloudError } from '../errors.js';
import type { SseConfig } from '../model.js';

export type Headers = Record<string, string>;

/** OSS refuses CopyObject above 1 GB (OSS API reference "CopyObject"); larger objects need UploadPartCopy. */
export const DEFAULT_MULTIPART_THRESHOLD = 1024 * 1024 * 1024;
/** 64 MB parts: a 5 GB object is 80 UploadPartCopy requests, far below the 10,000-part limit. */
export const DEFAULT_PART_SIZE = 64 * 1024 * 1024;
/** OSS's smallest part (all but the last), as ali-oss also enforces. */
export const MIN_PART_SIZE = 100 * 1024;
export const MAX_PARTS = 10_000;

/** Headers OSS stores with an object besides Content-Type (GetObject returns them). */
export const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
];

const unquote = (etag: string) => etag.replace(/^"|"$/g, '').toUpperCase();
export const quoted = (etag: string) => `"${etag.replace(/^"|"$/g, '')}"`;

/** Whether two ETags name the same content (quotes and case aside). */
export function sameEtag(a: string, b: string): boolean {
  return unquote(a) === unquote(b);
}

/** An object's SSE from HeadObject's headers; `null` when there is none. */
export function sseFromHeaders(headers: Headers): SseConfig | null {
  const algorithm = headers['x-oss-server-side-encryption'];
  if (algorithm !== 'AES256' && algorithm !== 'KMS' && algorithm !== 'SM4') return null;
  const key = headers['x-oss-server-side-encryption-key-id'];
  const data = headers['x-oss-server-side-data-encryption'];
  return {
    algorithm,
    ...(algorithm === 'KMS' && key ? { kmsKeyId: key } : {}),
    ...(algorithm === 'KMS' && data === 'SM4' ? { kmsDataEncryption: 'SM4' as const } : {}),
  };
}

/** The request headers that ask OSS for `cfg`. */
export function sseRequestHeaders(cfg: SseConfig): Headers {
  const out: Headers = { 'x-oss-server-side-encryption': cfg.algorithm };
  if (cfg.kmsKeyId) out['x-oss-server-side-encryption-key-id'] = cfg.kmsKeyId;
  if (cfg.kmsDataEncryption) out['x-oss-server-side-data-encryption'] = cfg.kmsDataEncryption;
  return out;
}

/** The named headers that are present, under our field names. */
export function present<K extends string>(h: Headers, names: Record<K, string>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [field, name] of Object.entries(names) as Array<[K, string]>) if (h[name]) out[field] = h[name];
  return out;
}

export const WRITE_HEADERS = { etag: 'etag', versionId: 'x-oss-version-id', requestId: 'x-oss-request-id' };

/** The 412 a replaced object deserves, also where OSS answered something else or nothing at all. */
export function changedDuringCopy(subject: string, cause?: unknown): CloudError {
  return new CloudError(
    `${subject}: PreconditionFailed (412): the object changed during the copy`,
    { code: 'PreconditionFailed', status: 412, retryable: false },
    cause === undefined ? undefined : { cause },
  );
}

/** The part size actually used: at least 100 KB, and large enough to stay within 10,000 parts. */
export function effectivePartSize(size: number, wanted = DEFAULT_PART_SIZE): number {
  return Math.max(MIN_PART_SIZE, wanted, Math.ceil(size / MAX_PARTS));
}

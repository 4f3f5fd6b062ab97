/**
 * OSS clients and signing: the gateway's options, the part of ali-oss it uses, and how one client per
 * region (or per bucket, for object calls) is built and how long one attempt may take. The calls
 * themselves are the gateway's (oss.ts).
 */
import type { Readable } from 'node:stream';
import { parse as parseUrl } from 'node:url';
import OSS from 'ali-oss';
import type { Logger } from 'pino';
import type { AdaptiveLimit } from './adaptive-limit.js';
import type { Credentials } from './credentials.js';
import type { RetryOptions } from './retry.js';

export interface OssGatewayOptions {
  credentials: Credentials;
  /** One URL for every region (the emulator, or a proxy); default: the public regional endpoints over HTTPS. */
  endpoint?: string;
  /** Sign with OSS V4 (`OSS4-HMAC-SHA256`) instead of V1. */
  authorizationV4?: boolean;
  /** Per-request timeout in ms (default 30000). */
  timeoutMs?: number;
  retry?: RetryOptions;
  logger?: Logger;
  /** The region used for account-wide calls (ListBuckets); default cn-hangzhou. */
  homeRegion?: string;
  /** Bounds the calls in flight, adapting to throttling; every attempt runs through it (not the backoff). */
  limit?: AdaptiveLimit;
}

export interface SdkResult {
  status?: number;
  res?: { headers?: Record<string, unknown> };
}

/**
 * The part of ali-oss this gateway uses. @types/ali-oss lacks several of these methods (bucket
 * encryption and tags, the generic request path), so the client is viewed through this interface.
 */
export interface AliOssClient {
  listBuckets(query: Record<string, string | number>, options: object): Promise<unknown>;
  getBucketEncryption(bucket: string): Promise<SdkResult & { encryption?: unknown }>;
  deleteBucketEncryption(bucket: string, options?: { timeout?: number }): Promise<SdkResult>;
  getBucketTags(
    bucket: string,
    options?: { timeout?: number },
  ): Promise<SdkResult & { tag?: Record<string, string> }>;
  get(key: string): Promise<SdkResult & { content?: Buffer }>;
  getStream(
    key: string,
    options?: { headers?: Record<string, string> },
  ): Promise<SdkResult & { stream: AsyncIterable<Buffer> & { destroy?: () => void } }>;
  head(key: string): Promise<SdkResult>;
  put(
    key: string,
    body: Buffer,
    options: { headers?: Record<string, string>; mime?: string; timeout?: number },
  ): Promise<SdkResult>;
  putStream(
    key: string,
    body: Readable,
    options: { headers?: Record<string, string>; mime?: string; timeout?: number },
  ): Promise<SdkResult>;
  getBucketLocation(bucket: string): Promise<SdkResult & { location?: unknown }>;
}

export interface ObjectRes {
  status: number;
  res: { headers: Record<string, string> };
  data?: Buffer;
}

/** The ali-oss 6.x object methods of the guard's calls (lib/common/object/*.js, lib/common/multipart*.js). */
export interface ObjectClient {
  head(name: string): Promise<ObjectRes>;
  getObjectTagging(name: string): Promise<{ tag?: Record<string, string> }>;
  getBucketLocation(name: string): Promise<{ location?: string }>;
  request(params: {
    method: string;
    bucket: string;
    object: string;
    headers: Record<string, string>;
    successStatuses: number[];
  }): Promise<ObjectRes>;
  initMultipartUpload(
    name: string,
    options: { headers: Record<string, string> },
  ): Promise<{ uploadId: string }>;
  uploadPartCopy(
    name: string,
    uploadId: string,
    partNo: number,
    range: string,
    source: { sourceKey: string; sourceBucketName: string },
    options: { headers: Record<string, string> },
  ): Promise<{ etag: string }>;
  completeMultipartUpload(
    name: string,
    uploadId: string,
    parts: Array<{ number: number; etag: string }>,
  ): Promise<{ etag?: string; res: { headers: Record<string, string> } }>;
  abortMultipartUpload(name: string, uploadId: string): Promise<unknown>;
}

/** ali-oss's generic signed request path. */
export interface RequestCapable {
  request(params: {
    method: string;
    bucket: string;
    subres: string;
    content?: Buffer;
    mime?: string;
    successStatuses: number[];
    timeout?: number;
  }): Promise<{ status: number; data?: Buffer; res: { headers: Record<string, string> } }>;
}

export function requestIdOf(res: { headers?: Record<string, unknown> } | undefined): string | undefined {
  const id = res?.headers?.['x-oss-request-id'];
  return typeof id === 'string' ? id : undefined;
}

/**
 * ali-oss hands urllib the request URL as a string, and urllib re-parses it with WHATWG `URL`, which
 * resolves dot segments: the key `a/../b` would be sent as `/b` (another object, which an in-place copy
 * would overwrite) and `.` or `..` as `/` (the bucket). OSS names may hold such segments (OSS "Object
 * naming conventions"), and ali-oss signs the name as given, so the URL is handed over pre-parsed by the
 * legacy parser, which keeps the path exactly as ali-oss escaped it.
 */
function keepDotSegments(client: AliOssClient): void {
  type Urllib = { request(url: unknown, params: unknown): Promise<unknown> };
  const sdk = client as unknown as { urllib: Urllib };
  const urllib = sdk.urllib;
  sdk.urllib = {
    request: (url, params) =>
      urllib.request(typeof url === 'string' ? parseUrl(url) : url, params).catch((err: unknown) => {
        // urllib names the URL in its error message (`GET <url> -1 (...)`); given the parsed object it
        // would print `[object Object]`, and the error sentence could no longer name the endpoint.
        const e = err as { message?: unknown };
        if (typeof url === 'string' && typeof e?.message === 'string') {
          e.message = e.message.replace('[object Object]', url);
        }
        throw err;
      }),
  };
}

/** A new ali-oss client for `region` (and `bucket`, for object calls), signed with the gateway's credentials. */
export function newAliOssClient(opts: OssGatewayOptions, region: string, bucket?: string): AliOssClient {
  const { credentials, endpoint } = opts;
  const client = new OSS({
    region: `oss-${region}`,
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    // STS credentials come fresh with each Function Compute invocation; the interval only silences
    // ali-oss's advice to configure its own refresher, which never runs without `refreshSTSToken`.
    ...(credentials.securityToken
      ? { stsToken: credentials.securityToken, refreshSTSTokenInterval: 3_600_000 }
      : {}),
    ...(endpoint ? { endpoint } : { secure: true }),
    ...(bucket ? { bucket } : {}),
    timeout: opts.timeoutMs ?? 30_000,
    // @types/ali-oss does not know the V4 switch; ali-oss 6.x reads it from the options.
    ...({ authorizationV4: opts.authorizationV4 ?? false } as object),
  }) as unknown as AliOssClient;
  keepDotSegments(client);
  return client;
}

/**
 * The timeout of one attempt: the client's own (default 30 s), capped by what is left before the
 * call's `timeoutBy`, so one slow answer cannot outlive the run (a function killed before its report).
 */
export function attemptTimeout(
  opts: Pick<OssGatewayOptions, 'timeoutMs' | 'retry'>,
  retry?: RetryOptions,
): number {
  const own = opts.timeoutMs ?? 30_000;
  const deadline = retry?.timeoutBy ?? opts.retry?.timeoutBy;
  if (deadline === undefined) return own;
  const now = (retry?.now ?? opts.retry?.now ?? Date.now)();
  return Math.max(1, Math.min(own, Math.floor(deadline - now)));
}

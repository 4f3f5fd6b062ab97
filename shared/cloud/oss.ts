/**
 * The OSS gateway: the only module that imports ali-oss. It keeps one client per region, normalises
 * results into our types and errors into `CloudError`, and retries what ali-oss does not (throttling,
 * 5xx, network errors). SDK quirks stop here: `listBuckets` returning `buckets: null`, `Location` as
 * `oss-<region>`, `putBucketEncryption` unable to send `KMSDataEncryption`.
 */
import { Readable } from 'node:stream';
import { parse as parseUrl } from 'node:url';
import OSS from 'ali-oss';
import type { Logger } from 'pino';
import { CloudError } from '../errors.js';
import type { SseConfig } from '../model.js';
import type { AdaptiveLimit } from './adaptive-limit.js';
import type { Credentials } from './credentials.js';
import { toCloudError } from './oss-errors.js';
import { encryptionXml, ownCopy, parseEncryption, rootFields, text } from './oss-xml.js';
import { type RetryOptions, withRetry } from './retry.js';

export interface BucketLocation {
  name: string;
  region: string;
}

/**
 * A bucket as ListBuckets lists it, reduced to what the audit reads: the listing's creation date and
 * storage class are not kept (two strings per bucket for the whole run, never used).
 */
export type BucketSummary = BucketLocation;

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

/**
 * An object body given in pieces (strings are sent as UTF-8), as a function: it is called once per
 * attempt, because a retried PutObject must send the whole body again from its start.
 */
export type ObjectChunks = () => Iterable<string | Buffer> | AsyncIterable<string | Buffer>;

/** A page of ListBuckets. */
export interface BucketPage {
  buckets: BucketSummary[];
  nextMarker?: string;
}

interface SdkResult {
  status?: number;
  res?: { headers?: Record<string, unknown> };
}

/**
 * The part of ali-oss this gateway uses. @types/ali-oss lacks several of these methods (bucket
 * encryption and tags, the generic request path), so the client is viewed through this interface.
 */
interface AliOssClient {
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

function requestIdOf(res: { headers?: Record<string, unknown> } | undefined): string | undefined {
  const id = res?.headers?.['x-oss-request-id'];
  return typeof id === 'string' ? id : undefined;
}

export { encryptionXml, parseEncryption, rootFields } from './oss-xml.js';

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

export class OssGateway {
  private readonly clients = new Map<string, AliOssClient>();
  private readonly regions = new Map<string, Promise<string>>();
  private readonly regionIds = new Map<string, string>();
  private readonly opts: OssGatewayOptions;

  constructor(opts: OssGatewayOptions) {
    this.opts = opts;
  }

  /** The ali-oss client of a region, or of one bucket of a region for object calls (created once). */
  client(region: string, bucket?: string): AliOssClient {
    const id = bucket ? `${region}/${bucket}` : region;
    let c = this.clients.get(id);
    if (!c) {
      const { credentials, endpoint } = this.opts;
      c = new OSS({
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
        timeout: this.opts.timeoutMs ?? 30_000,
        // @types/ali-oss does not know the V4 switch; ali-oss 6.x reads it from the options.
        ...({ authorizationV4: this.opts.authorizationV4 ?? false } as object),
      }) as unknown as AliOssClient;
      keepDotSegments(c);
      this.clients.set(id, c);
    }
    return c;
  }

  /**
   * The timeout of one attempt: the client's own (default 30 s), capped by what is left before the
   * call's `timeoutBy`, so one slow answer cannot outlive the run (a function killed before its report).
   */
  private attemptTimeout(retry?: RetryOptions): number {
    const own = this.opts.timeoutMs ?? 30_000;
    const deadline = retry?.timeoutBy ?? this.opts.retry?.timeoutBy;
    if (deadline === undefined) return own;
    const now = (retry?.now ?? this.opts.retry?.now ?? Date.now)();
    return Math.max(1, Math.min(own, Math.floor(deadline - now)));
  }

  /**
   * Runs one SDK call with normalised errors and retries; `subject` names it in errors and logs. `fn`
   * gets the attempt's timeout in ms (derived from the deadline) to pass to ali-oss as `timeout`.
   */
  async call<T>(subject: string, fn: (timeoutMs: number) => Promise<T>, retry?: RetryOptions): Promise<T> {
    return withRetry(
      async () => {
        const deadline = retry?.timeoutBy ?? this.opts.retry?.timeoutBy;
        const now = (retry?.now ?? this.opts.retry?.now ?? Date.now)();
        if (deadline !== undefined && now >= deadline) {
          throw new CloudError(`${subject}: not sent, the deadline has passed`, {
            code: 'DeadlineExceeded',
            status: -2,
            retryable: false,
          });
        }
        const timeoutMs = this.attemptTimeout(retry);
        const attempt = () => fn(timeoutMs);
        try {
          return await (this.opts.limit ? this.opts.limit.run(attempt) : attempt());
        } catch (err) {
          // The SDK's own message (ali-oss's agent status on network errors) is for the debug log only.
          this.opts.logger?.debug({ subject, sdkError: (err as Error)?.message }, 'oss sdk error');
          throw toCloudError(err, subject);
        }
      },
      {
        ...this.opts.retry,
        ...retry,
        onRetry: (info) => {
          this.opts.logger?.debug(
            { subject, attempt: info.attempt, delayMs: info.delayMs, code: info.error.code },
            'retrying',
          );
          this.opts.retry?.onRetry?.(info);
        },
      },
    );
  }

  /** One page of ListBuckets (every region's buckets, as the service lists them). */
  async listBucketsPage(query: {
    prefix?: string;
    marker?: string;
    maxKeys?: number;
    deadline?: number;
  }): Promise<BucketPage> {
    const home = this.opts.homeRegion ?? 'cn-hangzhou';
    const q: Record<string, string | number> = { 'max-keys': query.maxKeys ?? 1000 };
    if (query.prefix) q.prefix = query.prefix;
    if (query.marker) q.marker = query.marker;
    const page = await this.call(
      `ListBuckets (marker "${query.marker ?? ''}")`,
      (timeout) => this.client(home).listBuckets(q, { timeout }),
      query.deadline === undefined ? undefined : { deadline: query.deadline, timeoutBy: query.deadline },
    );
    // ali-oss answers `buckets: null` for an empty page and gives the region as `oss-<region>`.
    const typed = page as {
      buckets?: Array<{ name: string; region: string }> | null;
      isTruncated?: boolean;
      nextMarker?: string | null;
    };
    const raw = typed.buckets ?? [];
    const buckets = raw.map((b) => ({ name: ownCopy(b.name), region: this.regionId(b.region) }));
    return { buckets, ...(typed.isTruncated && typed.nextMarker ? { nextMarker: typed.nextMarker } : {}) };
  }

  /** `oss-cn-hangzhou` -> `cn-hangzhou`, one string per region for the whole run (not one per bucket). */
  private regionId(location: string): string {
    let id = this.regionIds.get(location);
    if (id === undefined) {
      id = ownCopy(location.replace(/^oss-/, ''));
      this.regionIds.set(location, id);
    }
    return id;
  }

  /** Every bucket, page after page. */
  async *listBuckets(
    query: { prefix?: string; pageSize?: number; deadline?: number } = {},
  ): AsyncGenerator<BucketSummary[]> {
    let marker: string | undefined;
    do {
      const page = await this.listBucketsPage({
        prefix: query.prefix,
        marker,
        maxKeys: query.pageSize,
        deadline: query.deadline,
      });
      yield page.buckets;
      marker = page.nextMarker;
    } while (marker);
  }

  /** The bucket's default encryption; `null` for 404 NoSuchServerSideEncryptionRule (a normal state). */
  async getBucketEncryption(b: BucketLocation, retry?: RetryOptions): Promise<SseConfig | null> {
    const subject = `Bucket "${b.name}" (${b.region}): GetBucketEncryption`;
    const client = this.client(b.region) as unknown as RequestCapable;
    // ali-oss's generic path with 404 as an answer: no xml2js on the 200, none (and no Error with a stack)
    // on the 404 NoSuchServerSideEncryptionRule that every unencrypted bucket answers.
    return this.call(
      subject,
      async (timeout) => {
        const result = await client.request({
          timeout,
          method: 'GET',
          bucket: b.name,
          subres: 'encryption',
          successStatuses: [200, 404],
        });
        const fields = rootFields(result.data ? result.data.toString('utf8') : '');
        // 200: <ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault>... (OSS API reference).
        if (result.status === 200) return parseEncryption(fields.ApplyServerSideEncryptionByDefault);
        const code = text(fields.Code) ?? 'NoSuchBucket';
        if (code === 'NoSuchServerSideEncryptionRule') return null;
        // Any other 404 (NoSuchBucket...) is thrown in ali-oss's error shape, so `call` normalises it as usual.
        throw Object.assign(new Error(text(fields.Message) ?? 'Not Found'), {
          name: `${code}Error`,
          code,
          status: 404,
          requestId: text(fields.RequestId) ?? result.res.headers['x-oss-request-id'],
          ecCode: text(fields.EC),
        });
      },
      retry,
    );
  }

  /**
   * Sets the bucket's default encryption. Sent through ali-oss's signed generic request path, because its
   * `putBucketEncryption` cannot send `KMSDataEncryption`.
   */
  async putBucketEncryption(
    b: BucketLocation,
    cfg: SseConfig,
    retry?: RetryOptions,
  ): Promise<{ requestId?: string }> {
    const subject = `Bucket "${b.name}" (${b.region}): PutBucketEncryption`;
    const client = this.client(b.region) as unknown as RequestCapable;
    const result = await this.call(
      subject,
      (timeout) =>
        // A Buffer, not a string: ali-oss sets Content-Length from `content.length`.
        client.request({
          timeout,
          method: 'PUT',
          bucket: b.name,
          subres: 'encryption',
          content: Buffer.from(encryptionXml(cfg)),
          mime: 'xml',
          successStatuses: [200],
        }),
      retry,
    );
    return { requestId: requestIdOf(result.res) };
  }

  /** Removes the bucket's default encryption (204). */
  async deleteBucketEncryption(b: BucketLocation, retry?: RetryOptions): Promise<{ requestId?: string }> {
    const subject = `Bucket "${b.name}" (${b.region}): DeleteBucketEncryption`;
    const result = await this.call(
      subject,
      (timeout) => this.client(b.region).deleteBucketEncryption(b.name, { timeout }),
      retry,
    );
    return { requestId: requestIdOf(result.res) };
  }

  /** The bucket's tags ({} when it has none). */
  async getBucketTags(b: BucketLocation, retry?: RetryOptions): Promise<Record<string, string>> {
    const subject = `Bucket "${b.name}" (${b.region}): GetBucketTagging`;
    try {
      const result = await this.call(
        subject,
        (timeout) => this.client(b.region).getBucketTags(b.name, { timeout }),
        retry,
      );
      return { ...(result.tag ?? {}) };
    } catch (err) {
      if ((err as { code?: string }).code === 'NoSuchTagSet') return {};
      throw err;
    }
  }

  /** A bucket's region, from GetBucketLocation (which any region's endpoint answers); cached. */
  bucketRegion(bucket: string): Promise<string> {
    let region = this.regions.get(bucket);
    if (!region) {
      const home = this.opts.homeRegion ?? 'cn-hangzhou';
      region = this.call(`Bucket "${bucket}": GetBucketLocation`, () =>
        this.client(home).getBucketLocation(bucket),
      ).then((r) => String(r.location ?? `oss-${home}`).replace(/^oss-/, ''));
      region.catch(() => this.regions.delete(bucket));
      this.regions.set(bucket, region);
    }
    return region;
  }

  /** An object's bytes as UTF-8 text (policies, previous reports); `undefined` when there is no such object. */
  async getObjectText(bucket: string, key: string, region?: string): Promise<string> {
    const r = region ?? (await this.bucketRegion(bucket));
    const subject = `Object "${key}" in bucket "${bucket}" (${r}): GetObject`;
    const result = await this.call(subject, () => this.client(r, bucket).get(key));
    return (result.content ?? Buffer.alloc(0)).toString('utf8');
  }

  /**
   * An object's first bytes, for inputs that must stay small (a policy): HeadObject's Content-Length
   * first, and only when that is within `maxBytes` a ranged GetObject (`Range: bytes=0-maxBytes`) read
   * until `maxBytes + 1` bytes at most, so an object that grew meanwhile is still never read whole.
   * `size` is the larger of the object's stated length and the bytes seen: above `maxBytes` means refused.
   */
  async getObjectBounded(
    bucket: string,
    key: string,
    maxBytes: number,
    region?: string,
  ): Promise<{ bytes: Buffer; size: number }> {
    const r = region ?? (await this.bucketRegion(bucket));
    const where = `Object "${key}" in bucket "${bucket}" (${r})`;
    const head = await this.call(`${where}: HeadObject`, () => this.client(r, bucket).head(key));
    const stated = Number(head.res?.headers?.['content-length']);
    if (Number.isFinite(stated) && stated > maxBytes) return { bytes: Buffer.alloc(0), size: stated };
    const result = await this.call(`${where}: GetObject`, () =>
      this.client(r, bucket).getStream(key, { headers: { Range: `bytes=0-${maxBytes}` } }),
    );
    const chunks: Buffer[] = [];
    let seen = 0;
    for await (const chunk of result.stream) {
      chunks.push(chunk);
      seen += chunk.length;
      if (seen > maxBytes) break;
    }
    result.stream.destroy?.();
    const bytes = Buffer.concat(chunks).subarray(0, maxBytes + 1);
    return { bytes, size: Math.max(bytes.length, Number.isFinite(stated) ? stated : 0) };
  }

  /**
   * An object's bytes as a stream, for objects too large to hold whole (a previous report). Retried like
   * any call until the answer starts; a failure after that ends the iteration with the error.
   */
  async getObjectStream(bucket: string, key: string, region?: string): Promise<AsyncIterable<Buffer>> {
    const r = region ?? (await this.bucketRegion(bucket));
    const subject = `Object "${key}" in bucket "${bucket}" (${r}): GetObject`;
    const result = await this.call(subject, () => this.client(r, bucket).getStream(key));
    return result.stream;
  }

  /**
   * Writes an object, encrypted with `sse` (reports are evidence: they are stored encrypted too). A
   * Buffer is sent whole with its Content-Length; `ObjectChunks` are streamed with chunked transfer
   * encoding (which PutObject accepts in place of Content-Length), so a large report is never held as
   * one Buffer.
   */
  async putObject(
    bucket: string,
    key: string,
    body: Buffer | ObjectChunks,
    opts: {
      contentType?: string;
      sse?: SseConfig;
      forbidOverwrite?: boolean;
      region?: string;
      /** Epoch ms no attempt may outlive (each attempt's timeout is what is left). */
      deadline?: number;
    } = {},
  ): Promise<{ requestId?: string }> {
    const r = opts.region ?? (await this.bucketRegion(bucket));
    const headers: Record<string, string> = {};
    if (opts.sse) {
      headers['x-oss-server-side-encryption'] = opts.sse.algorithm;
      if (opts.sse.kmsKeyId) headers['x-oss-server-side-encryption-key-id'] = opts.sse.kmsKeyId;
      if (opts.sse.kmsDataEncryption)
        headers['x-oss-server-side-data-encryption'] = opts.sse.kmsDataEncryption;
    }
    if (opts.forbidOverwrite) headers['x-oss-forbid-overwrite'] = 'true';
    const subject = `Object "${key}" in bucket "${bucket}" (${r}): PutObject`;
    // Options per attempt: ali-oss adds headers to the object it is given (Transfer-Encoding for streams).
    const options = (timeout: number) => ({
      timeout,
      headers: { ...headers },
      ...(opts.contentType ? { mime: opts.contentType } : {}),
    });
    const result = await this.call(
      subject,
      (timeout) =>
        Buffer.isBuffer(body)
          ? this.client(r, bucket).put(key, body, options(timeout))
          : // A fresh stream per attempt; objectMode off, so string pieces are sent as UTF-8 bytes.
            this.client(r, bucket).putStream(
              key,
              Readable.from(body(), { objectMode: false }),
              options(timeout),
            ),
      opts.deadline === undefined ? undefined : { deadline: opts.deadline, timeoutBy: opts.deadline },
    );
    return { requestId: requestIdOf(result.res) };
  }
}

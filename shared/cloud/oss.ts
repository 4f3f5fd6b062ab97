/**
 * The OSS gateway: it keeps one client per region (built by oss-client.ts, the only module that imports
 * ali-oss), normalises results into our types and errors into `CloudError`, and retries what ali-oss
 * does not (throttling, 5xx, network errors). SDK quirks stop here: `listBuckets` returning `buckets: null`, `Location` as
 * `oss-<region>`, `putBucketEncryption` unable to send `KMSDataEncryption`.
 */
import { Readable } from 'node:stream';
import { CloudError } from '../errors.js';
import type { SseConfig } from '../model.js';
import {
  type AliOssClient,
  attemptTimeout,
  newAliOssClient,
  type OssGatewayOptions,
  type RequestCapable,
  requestIdOf,
} from './oss-client.js';
import { toCloudError } from './oss-errors.js';
import { encryptionReader, encryptionXml, ownCopy, rootFields, text } from './oss-xml.js';
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

export type { OssGatewayOptions, RequestCapable } from './oss-client.js';
export { encryptionXml, parseEncryption, rootFields } from './oss-xml.js';

export class OssGateway {
  private readonly clients = new Map<string, AliOssClient>();
  private readonly regions = new Map<string, Promise<string>>();
  private readonly regionIds = new Map<string, string>();
  /** GetBucketEncryption 200 answers, each distinct text parsed once per gateway. */
  private readonly readEncryption = encryptionReader();
  private readonly opts: OssGatewayOptions;

  constructor(opts: OssGatewayOptions) {
    this.opts = opts;
  }

  /** The ali-oss client of a region, or of one bucket of a region for object calls (created once). */
  client(region: string, bucket?: string): AliOssClient {
    const id = bucket ? `${region}/${bucket}` : region;
    let c = this.clients.get(id);
    if (!c) {
      c = newAliOssClient(this.opts, region, bucket);
      this.clients.set(id, c);
    }
    return c;
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
        const timeoutMs = attemptTimeout(this.opts, retry);
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
        const body = result.data ? result.data.toString('utf8') : '';
        // 200: <ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault>... (OSS API reference).
        if (result.status === 200) return this.readEncryption(body);
        const fields = rootFields(body);
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

/**
 * The bucket calls of the OSS gateway: ListBuckets (paged), Get/Put/DeleteBucketEncryption and
 * GetBucketTagging, through the one call core (oss-core.ts). SDK quirks stop here: `listBuckets`
 * returning `buckets: null`, `Location` as `oss-<region>`, `putBucketEncryption` unable to send
 * `KMSDataEncryption`.
 */
import type { SseConfig } from '../model.js';
import { type RequestCapable, requestIdOf } from './oss-client.js';
import { byDeadline, type OssCore } from './oss-core.js';
import { encryptionReader, encryptionXml, ownCopy, rootFields, text } from './oss-xml.js';
import type { RetryOptions } from './retry.js';

export interface BucketLocation {
  name: string;
  region: string;
}

/**
 * A bucket as ListBuckets lists it, reduced to what the audit reads: the listing's creation date and
 * storage class are not kept (two strings per bucket for the whole run, never used).
 */
export type BucketSummary = BucketLocation;

/** A page of ListBuckets. */
export interface BucketPage {
  buckets: BucketSummary[];
  nextMarker?: string;
}

/**
 * Another way to read one bucket's encryption (the not-adopted hand-signed reader the benchmarks
 * compare): the gateway still runs it through its limit, retries and error mapping.
 */
export interface EncryptionReader {
  read(b: BucketLocation): Promise<SseConfig | null>;
}

export class OssBuckets {
  /** GetBucketEncryption 200 answers, each distinct text parsed once per gateway. */
  private readonly readEncryption = encryptionReader();

  constructor(
    private readonly core: OssCore,
    private readonly encryptionReader?: EncryptionReader,
  ) {}

  /** One page of ListBuckets (every region's buckets, as the service lists them). */
  async listBucketsPage(query: {
    prefix?: string;
    marker?: string;
    maxKeys?: number;
    deadline?: number;
  }): Promise<BucketPage> {
    const home = this.core.home;
    const q: Record<string, string | number> = { 'max-keys': query.maxKeys ?? 1000 };
    if (query.prefix) q.prefix = query.prefix;
    if (query.marker) q.marker = query.marker;
    const page = await this.core.call(
      `ListBuckets (marker "${query.marker ?? ''}")`,
      (timeout) => this.core.client(home).listBuckets(q, { timeout }),
      byDeadline(query.deadline),
    );
    // ali-oss answers `buckets: null` for an empty page and gives the region as `oss-<region>`.
    const typed = page as {
      buckets?: Array<{ name: string; region: string }> | null;
      isTruncated?: boolean;
      nextMarker?: string | null;
    };
    const raw = typed.buckets ?? [];
    const buckets = raw.map((b) => ({ name: ownCopy(b.name), region: this.core.regionId(b.region) }));
    return { buckets, ...(typed.isTruncated && typed.nextMarker ? { nextMarker: typed.nextMarker } : {}) };
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
    const reader = this.encryptionReader;
    if (reader) return this.core.call(subject, () => reader.read(b), retry);
    const client = this.core.client(b.region) as unknown as RequestCapable;
    // ali-oss's generic path with 404 as an answer: no xml2js on the 200, none (and no Error with a stack)
    // on the 404 NoSuchServerSideEncryptionRule that every unencrypted bucket answers.
    return this.core.call(
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
    const client = this.core.client(b.region) as unknown as RequestCapable;
    const result = await this.core.call(
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
    const result = await this.core.call(
      subject,
      (timeout) => this.core.client(b.region).deleteBucketEncryption(b.name, { timeout }),
      retry,
    );
    return { requestId: requestIdOf(result.res) };
  }

  /** The bucket's tags ({} when it has none). */
  async getBucketTags(b: BucketLocation, retry?: RetryOptions): Promise<Record<string, string>> {
    const subject = `Bucket "${b.name}" (${b.region}): GetBucketTagging`;
    try {
      const result = await this.core.call(
        subject,
        (timeout) => this.core.client(b.region).getBucketTags(b.name, { timeout }),
        retry,
      );
      return { ...(result.tag ?? {}) };
    } catch (err) {
      if ((err as { code?: string }).code === 'NoSuchTagSet') return {};
      throw err;
    }
  }
}

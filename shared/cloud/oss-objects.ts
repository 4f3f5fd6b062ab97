/**
 * Object operations over ali-oss for the upload guard: HeadObject, GetObjectTagging, GetBucketLocation and
 * the in-place copy that re-encrypts an object. The ali-oss client comes from the call core (oss-core.ts;
 * one client per bucket: ali-oss's multipart copy helpers re-point a client's bucket) and every call goes
 * through its `call` for normalised `CloudError`s and retries. The core areas get these calls from
 * `objectGateway(oss).objects()`, never the client.
 *
 * The copy keeps bytes, content type, user metadata and tags: CopyObject with the COPY directives (the
 * defaults) up to `multipartThreshold`, above it InitiateMultipartUpload (carrying the metadata and tags
 * read from the object) + UploadPartCopy per part + CompleteMultipartUpload. Both ask for the target SSE
 * and copy only while the source still has the event's ETag (`x-oss-copy-source-if-match`).
 */
import { CloudError } from '../errors.js';
import type { SseConfig } from '../model.js';
import { mapBounded } from '../pool.js';
import type { ObjectClient, ObjectRes } from './oss-client.js';
import { coreOf, type OssCore } from './oss-core.js';
import {
  changedDuringCopy,
  DEFAULT_MULTIPART_THRESHOLD,
  effectivePartSize,
  type Headers,
  present,
  quoted,
  STORED_HEADERS,
  sameEtag,
  sseFromHeaders,
  sseRequestHeaders,
  WRITE_HEADERS,
} from './oss-object-headers.js';
import type { RetryOptions } from './retry.js';

export {
  DEFAULT_MULTIPART_THRESHOLD,
  DEFAULT_PART_SIZE,
  effectivePartSize,
  MAX_PARTS,
  MIN_PART_SIZE,
  sameEtag,
  sseFromHeaders,
  sseRequestHeaders,
} from './oss-object-headers.js';

export interface ObjectLocation {
  bucket: string;
  region: string;
}

/** What HeadObject says about an object. */
export interface ObjectHead {
  key: string;
  size: number;
  /** As OSS returns it, quoted: `"5EB63BBBE01EEED093CB22BB8F5ACDC3"`. */
  etag: string;
  lastModified?: string;
  contentType?: string;
  /** User metadata, without the `x-oss-meta-` prefix. */
  meta: Record<string, string>;
  /** `cache-control`, `content-disposition`... as stored. */
  headers: Record<string, string>;
  sse: SseConfig | null;
  /** `Normal`, `Multipart`, `Appendable`, `Symlink`. */
  objectType?: string;
  storageClass?: string;
  /** Present in buckets that have (or had) versioning. */
  versionId?: string;
  requestId?: string;
}

export interface InPlaceCopyOptions {
  /** The SSE the copy asks for (a CMK as a key id: OSS stores what it is given). */
  target: SseConfig;
  /** Copy only while the object still has this ETag (quoted or not). */
  ifMatch: string;
  /** The object as read just before (size, metadata and headers for the multipart path). */
  head: ObjectHead;
  /** Objects of at least this many bytes go through multipart copy (default 1 GB). */
  multipartThreshold?: number;
  /** Part size of the multipart copy (default 64 MB; at least 100 KB). */
  partSize?: number;
  /** Parts copied at once (default 4). */
  parallel?: number;
}

export interface CopyOutcome {
  multipart: boolean;
  parts: number;
  etag?: string;
  versionId?: string;
  requestId?: string;
}

/** What the upload guard needs of the OSS gateway: its object calls, with the caller's retry options. */
export interface ObjectGateway {
  objects(retry?: RetryOptions): OssObjects;
}

/**
 * The object view of an OSS gateway (HeadObject, tags, the in-place copy), built on the gateway's sealed
 * call core as listing and inventory are. It is not a method of `OssGateway`, so only the bundles that
 * check objects (the upload guard, the backfill, `check-object`, the doctor) carry these calls.
 */
export function objectGateway(gateway: object): ObjectGateway {
  const core = coreOf(gateway);
  return { objects: (retry?: RetryOptions) => new ObjectCalls(core, retry) };
}

/** The object calls as the core areas see them (`objectGateway(oss).objects()`). */
export type OssObjects = Pick<ObjectCalls, 'head' | 'getTags' | 'bucketRegion' | 'copyInPlace'>;

export class ObjectCalls {
  constructor(
    private readonly core: OssCore,
    private readonly retry?: RetryOptions,
  ) {}

  private client(loc: ObjectLocation): ObjectClient {
    return this.core.client(loc.region, loc.bucket) as unknown as ObjectClient;
  }

  private subject(loc: ObjectLocation, key: string, op: string): string {
    return `Object "${key}" in bucket "${loc.bucket}" (${loc.region}): ${op}`;
  }

  /** HeadObject; `null` when there is no such object (ali-oss reports any HEAD 404 as NoSuchKey). */
  async head(loc: ObjectLocation, key: string): Promise<ObjectHead | null> {
    let res: ObjectRes;
    try {
      res = await this.core.call(
        this.subject(loc, key, 'HeadObject'),
        () => this.client(loc).head(key),
        this.retry,
      );
    } catch (err) {
      if (err instanceof CloudError && err.status === 404) return null;
      throw err;
    }
    const h = res.res.headers;
    const meta: Record<string, string> = {};
    const headers: Headers = {};
    for (const [name, value] of Object.entries(h)) {
      if (name.startsWith('x-oss-meta-')) meta[name.slice('x-oss-meta-'.length)] = value;
      else if (STORED_HEADERS.includes(name)) headers[name] = value;
    }
    return {
      key,
      size: Number(h['content-length'] ?? 0),
      etag: h.etag ?? '',
      meta,
      headers,
      sse: sseFromHeaders(h),
      ...present(h, {
        lastModified: 'last-modified',
        contentType: 'content-type',
        objectType: 'x-oss-object-type',
        storageClass: 'x-oss-storage-class',
        versionId: 'x-oss-version-id',
        requestId: 'x-oss-request-id',
      }),
    };
  }

  /** The object's tags ({} when none). */
  async getTags(loc: ObjectLocation, key: string): Promise<Record<string, string>> {
    const result = await this.core.call(
      this.subject(loc, key, 'GetObjectTagging'),
      () => this.client(loc).getObjectTagging(key),
      this.retry,
    );
    return { ...(result.tag ?? {}) };
  }

  /** A bucket's region (`cn-hangzhou`), asked through any region's endpoint. */
  async bucketRegion(bucket: string, via: string): Promise<string> {
    const client = this.core.client(via) as unknown as ObjectClient;
    const result = await this.core.call(
      `Bucket "${bucket}": GetBucketLocation`,
      () => client.getBucketLocation(bucket),
      this.retry,
    );
    return (result.location ?? `oss-${via}`).replace(/^oss-/, '');
  }

  /**
   * Copies the object onto itself asking for `opts.target`, only while it still has `opts.ifMatch`.
   * A newer upload makes OSS answer 412 and this throw a `CloudError` with code `PreconditionFailed`.
   */
  async copyInPlace(loc: ObjectLocation, key: string, opts: InPlaceCopyOptions): Promise<CopyOutcome> {
    const threshold = opts.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
    if (opts.head.size >= threshold) return this.multipartCopy(loc, key, opts);
    const res = await this.core.call(
      this.subject(loc, key, 'CopyObject'),
      // The generic request path, not `client.copy`: `copy` re-sends every option header a second time
      // as `x-oss-copy-source-<header>`, which would put SSE headers where OSS expects copy conditions.
      () =>
        this.client(loc).request({
          method: 'PUT',
          bucket: loc.bucket,
          object: key,
          headers: {
            'x-oss-copy-source': `/${loc.bucket}/${encodeURIComponent(key)}`,
            'x-oss-copy-source-if-match': quoted(opts.ifMatch),
            'x-oss-metadata-directive': 'COPY',
            'x-oss-tagging-directive': 'Copy',
            ...sseRequestHeaders(opts.target),
          },
          successStatuses: [200],
        }),
      this.retry,
    );
    return { multipart: false, parts: 1, ...present(res.res.headers, WRITE_HEADERS) };
  }

  /**
   * A part copy of an object that was replaced meanwhile can fail with something other than 412 (a range
   * beyond a smaller new object answers 400): when the ETag changed, report it as the precondition it is.
   */
  private async explainFailure(
    loc: ObjectLocation,
    key: string,
    ifMatch: string,
    err: unknown,
  ): Promise<unknown> {
    if (err instanceof CloudError && err.status === 412) return err;
    const now = await this.head(loc, key).catch(() => undefined);
    if (now === undefined || (now && sameEtag(now.etag, ifMatch))) return err;
    return changedDuringCopy(this.subject(loc, key, 'UploadPartCopy'), err);
  }

  /** The multipart path: metadata and tags travel with the initiation, since parts carry only bytes. */
  private async multipartCopy(
    loc: ObjectLocation,
    key: string,
    opts: InPlaceCopyOptions,
  ): Promise<CopyOutcome> {
    const { head } = opts;
    const client = this.client(loc);
    const tags = await this.getTags(loc, key);
    const headers: Headers = { ...head.headers, ...sseRequestHeaders(opts.target) };
    if (head.contentType) headers['Content-Type'] = head.contentType;
    for (const [k, v] of Object.entries(head.meta)) headers[`x-oss-meta-${k}`] = v;
    if (head.storageClass) headers['x-oss-storage-class'] = head.storageClass;
    const tagging = Object.entries(tags).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
    if (tagging.length > 0) headers['x-oss-tagging'] = tagging.join('&');
    const { uploadId } = await this.core.call(
      this.subject(loc, key, 'InitiateMultipartUpload'),
      () => client.initMultipartUpload(key, { headers }),
      this.retry,
    );
    try {
      const partSize = effectivePartSize(head.size, opts.partSize);
      const count = Math.ceil(head.size / partSize);
      const numbers = Array.from({ length: count }, (_, i) => i + 1);
      // In part order, as CompleteMultipartUpload lists them.
      const parts = await mapBounded(numbers, opts.parallel ?? 4, async (partNo) => {
        const start = (partNo - 1) * partSize;
        const end = Math.min(start + partSize, head.size) - 1;
        const { etag } = await this.core.call(
          this.subject(loc, key, `UploadPartCopy ${partNo}/${count}`),
          () =>
            client.uploadPartCopy(
              key,
              uploadId,
              partNo,
              `${start}-${end}`,
              { sourceKey: key, sourceBucketName: loc.bucket },
              { headers: { 'x-oss-copy-source-if-match': quoted(opts.ifMatch) } },
            ),
          this.retry,
        );
        return { number: partNo, etag };
      });
      // Each part was copied under if-match; check once more right before the new version replaces the
      // object, so that an upload landing during the part copies is never overwritten by older bytes.
      const now = await this.head(loc, key);
      if (!now || !sameEtag(now.etag, opts.ifMatch)) {
        throw changedDuringCopy(this.subject(loc, key, 'CompleteMultipartUpload'));
      }
      const done = await this.core.call(
        this.subject(loc, key, 'CompleteMultipartUpload'),
        () => client.completeMultipartUpload(key, uploadId, parts),
        this.retry,
      );
      return { multipart: true, parts: count, ...present(done.res.headers, WRITE_HEADERS) };
    } catch (err) {
      // Best effort: an upload left behind only costs storage until a lifecycle rule removes it.
      await client.abortMultipartUpload(key, uploadId).catch(() => undefined);
      throw await this.explainFailure(loc, key, opts.ifMatch, err);
    }
  }
}

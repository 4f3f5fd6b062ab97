/**
 * The OSS gateway, the one object the core areas hold for OSS. It is a facade over views that share one
 * call core (oss-core.ts: clients, retries, the adaptive limit, errors into `CloudError`), one view per
 * concern: buckets (oss-buckets.ts) and object data (oss-object-data.ts) through this class; the guard's
 * object calls (oss-objects.ts, `objectGateway(oss)`), listing (oss-listing.ts, `new ObjectLister(oss)`),
 * inventory (oss-inventory.ts, `new OssInventory(oss)`) and the doctor's probe (oss-probes.ts) are
 * built on a gateway, so a function bundle carries only the views it uses. No SDK client and no raw
 * `call` is reachable from any of them: the core areas only see methods that return our own types.
 */
import { type EncryptionReader, OssBuckets } from './oss-buckets.js';
import type { OssGatewayOptions as ClientOptions } from './oss-client.js';
import { OssCore, sealCore } from './oss-core.js';
import { OssObjectData } from './oss-object-data.js';

export type { BucketLocation, BucketPage, BucketSummary, EncryptionReader } from './oss-buckets.js';
export type { ObjectChunks, PutObjectOptions } from './oss-object-data.js';
export { encryptionXml, parseEncryption, rootFields } from './oss-xml.js';

export interface OssGatewayOptions extends ClientOptions {
  /** Reads GetBucketEncryption another way (the benchmarks' not-adopted signer); default: ali-oss. */
  encryptionReader?: EncryptionReader;
}

export class OssGateway {
  private readonly core: OssCore;
  private readonly buckets: OssBuckets;
  private readonly data: OssObjectData;

  constructor(opts: OssGatewayOptions) {
    this.core = new OssCore(opts);
    sealCore(this, this.core);
    this.buckets = new OssBuckets(this.core, opts.encryptionReader);
    this.data = new OssObjectData(this.core);
  }

  /** One page of ListBuckets (every region's buckets, as the service lists them). */
  listBucketsPage(...a: Parameters<OssBuckets['listBucketsPage']>) {
    return this.buckets.listBucketsPage(...a);
  }

  /** Every bucket, page after page. */
  listBuckets(...a: Parameters<OssBuckets['listBuckets']>) {
    return this.buckets.listBuckets(...a);
  }

  /** The bucket's default encryption; `null` for 404 NoSuchServerSideEncryptionRule (a normal state). */
  getBucketEncryption(...a: Parameters<OssBuckets['getBucketEncryption']>) {
    return this.buckets.getBucketEncryption(...a);
  }

  /** Sets the bucket's default encryption (KMSDataEncryption included). */
  putBucketEncryption(...a: Parameters<OssBuckets['putBucketEncryption']>) {
    return this.buckets.putBucketEncryption(...a);
  }

  /** Removes the bucket's default encryption (204). */
  deleteBucketEncryption(...a: Parameters<OssBuckets['deleteBucketEncryption']>) {
    return this.buckets.deleteBucketEncryption(...a);
  }

  /** The bucket's tags ({} when it has none). */
  getBucketTags(...a: Parameters<OssBuckets['getBucketTags']>) {
    return this.buckets.getBucketTags(...a);
  }

  /** A bucket's region, from GetBucketLocation (which any region's endpoint answers); cached. */
  bucketRegion(bucket: string): Promise<string> {
    return this.core.bucketRegion(bucket);
  }

  /** An object's bytes as UTF-8 text (policies, previous reports). */
  getObjectText(...a: Parameters<OssObjectData['getObjectText']>) {
    return this.data.getObjectText(...a);
  }

  /** An object's first bytes and its size, never reading more than `maxBytes + 1` bytes. */
  getObjectBounded(...a: Parameters<OssObjectData['getObjectBounded']>) {
    return this.data.getObjectBounded(...a);
  }

  /** An object's bytes as a stream, for objects too large to hold whole (a previous report). */
  getObjectStream(...a: Parameters<OssObjectData['getObjectStream']>) {
    return this.data.getObjectStream(...a);
  }

  /** Writes an object, encrypted, whole or streamed; create-only with `forbidOverwrite`. */
  putObject(...a: Parameters<OssObjectData['putObject']>) {
    return this.data.putObject(...a);
  }
}

/**
 * Test helpers for driving the OSS emulator with the real ali-oss client: the narrow client surface the
 * tests use (the @types/ali-oss declarations lag the 6.23 sources, e.g. `listBuckets` returns
 * `{ buckets, ... }`, not an array, and `putBucketEncryption` is missing), error capture, the generic
 * signed request path, and raw HTTP for what no SDK call exposes.
 */
import http from 'node:http';
import OSS from 'ali-oss';

export interface ClientError extends Error {
  code?: string;
  status: number;
  requestId?: string;
  ecCode?: string;
  hostId?: string;
}

export interface Res {
  status: number;
  headers: Record<string, string>;
}

/** The generic path of `client.request(params)`: `successStatuses` listed are returned, not thrown. */
export interface RawParams {
  method: string;
  bucket?: string;
  object?: string;
  subres?: string | Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  content?: Buffer;
  mime?: string;
  successStatuses?: number[];
  /** V4 only: extra headers to sign, listed in `AdditionalHeaders=`. */
  additionalHeaders?: string[];
}

export interface BucketInfo {
  Name: string;
  Location: string;
  Owner: { ID: string; DisplayName: string };
  ServerSideEncryptionRule: { SSEAlgorithm: string; KMSMasterKeyID?: string; KMSDataEncryption?: string };
}

export interface ListedObject {
  name: string;
  etag: string;
  size: number;
  owner: { id: string } | null;
}

/** The ali-oss 6.23 methods the tests call, typed from its sources (lib/bucket.js, lib/common/...). */
export interface OssClient {
  listBuckets(query?: Record<string, string | number>): Promise<{
    buckets: { name: string; region: string; creationDate: string; storageClass: string }[] | null;
    owner: { id: string; displayName: string };
    isTruncated: boolean;
    nextMarker: string | null;
  }>;
  putBucket(
    name: string,
    options?: { headers?: Record<string, string>; acl?: string; StorageClass?: string },
  ): Promise<{ bucket: string | null; res: Res }>;
  deleteBucket(name: string): Promise<{ res: Res }>;
  getBucketInfo(name: string): Promise<{ bucket: BucketInfo }>;
  getBucketLocation(name: string): Promise<{ location: string }>;
  putBucketEncryption(
    name: string,
    rule: { SSEAlgorithm: string; KMSMasterKeyID?: string },
  ): Promise<{ status: number }>;
  getBucketEncryption(name: string): Promise<{
    status: number;
    encryption: { SSEAlgorithm: string; KMSMasterKeyID?: string; KMSDataEncryption?: string };
  }>;
  deleteBucketEncryption(name: string): Promise<{ status: number }>;
  putBucketTags(name: string, tags: Record<string, string>): Promise<{ status: number }>;
  deleteBucketTags(name: string): Promise<{ status: number }>;
  getBucketTags(name: string): Promise<{ tag: Record<string, string> }>;
  putBucketVersioning(name: string, status: 'Enabled' | 'Suspended'): Promise<{ status: number }>;
  useBucket(name: string): OssClient;
  put(
    name: string,
    body: Buffer,
    options?: { headers?: Record<string, string>; meta?: Record<string, string>; mime?: string },
  ): Promise<{ res: Res }>;
  get(name: string, options?: { headers?: Record<string, string> }): Promise<{ content: Buffer; res: Res }>;
  head(
    name: string,
    options?: { headers?: Record<string, string> },
  ): Promise<{ status: number; meta: Record<string, string> | null; res: Res }>;
  copy(
    name: string,
    source: string,
    bucketOrOptions?: string | { headers?: Record<string, string>; meta?: Record<string, string> },
    options?: { headers?: Record<string, string>; meta?: Record<string, string> },
  ): Promise<{ data: { etag: string; lastModified: string } | null; res: Res }>;
  delete(name: string): Promise<{ res: Res }>;
  getObjectTagging(name: string): Promise<{ tag: Record<string, string> }>;
  putObjectTagging(name: string, tags: Record<string, string>): Promise<{ status: number }>;
  list(
    query: Record<string, string | number>,
    options?: object,
  ): Promise<{
    objects: ListedObject[];
    prefixes: string[] | null;
    isTruncated: boolean;
    nextMarker: string | null;
  }>;
  listV2(
    query: Record<string, string | number>,
    options?: object,
  ): Promise<{
    objects: ListedObject[];
    prefixes: string[] | null;
    isTruncated: boolean;
    keyCount: number;
    nextContinuationToken: string | null;
  }>;
  multipartUpload(
    name: string,
    file: Buffer,
    options: { partSize: number; headers?: Record<string, string>; parallel?: number },
  ): Promise<{ etag: string; res: Res }>;
  multipartUploadCopy(
    name: string,
    source: { sourceKey: string; sourceBucketName: string },
    options: { partSize: number; headers?: Record<string, string>; parallel?: number },
  ): Promise<{ etag: string; res: Res }>;
  initMultipartUpload(name: string, options?: object): Promise<{ uploadId: string; res: Res }>;
  completeMultipartUpload(
    name: string,
    uploadId: string,
    parts: { number: number; etag: string }[],
    options?: { headers?: Record<string, string> },
  ): Promise<{ etag: string; res: Res }>;
  putStream(
    name: string,
    stream: NodeJS.ReadableStream,
    options?: { headers?: Record<string, string>; contentLength?: number },
  ): Promise<{ res: Res }>;
  abortMultipartUpload(name: string, uploadId: string): Promise<{ res: Res }>;
  signatureUrl(name: string, options?: { expires?: number; method?: string }): string;
  request(params: RawParams): Promise<{ status: number; data: Buffer; headers: Record<string, string> }>;
}

export interface ClientOptions {
  url: string;
  accessKeyId: string;
  accessKeySecret: string;
  region?: string;
  bucket?: string;
  stsToken?: string;
  v4?: boolean;
  timeout?: number;
  /** ali-oss retries network errors (status -1/-2) this many times; never 5xx or throttling. */
  retryMax?: number;
}

/** A real ali-oss client pointed at the emulator. */
export function ossClient(o: ClientOptions): OssClient {
  // `retryMax` is in the 6.23 sources (lib/common/client/initOptions.js) but not in @types/ali-oss.
  const options: OSS.Options & { retryMax: number } = {
    endpoint: o.url,
    accessKeyId: o.accessKeyId,
    accessKeySecret: o.accessKeySecret,
    region: o.region ?? 'oss-cn-hangzhou',
    bucket: o.bucket,
    stsToken: o.stsToken,
    authorizationV4: o.v4 ?? false,
    timeout: o.timeout ?? 10_000,
    retryMax: o.retryMax ?? 0,
    // Setting refreshSTSTokenInterval keeps ali-oss from warning that stsToken has no refresher.
    refreshSTSTokenInterval: 300_000,
  };
  return new OSS(options) as unknown as OssClient;
}

/** The error a call rejects with (fails the test if it resolves). */
export async function failure(p: Promise<unknown>): Promise<ClientError> {
  try {
    await p;
  } catch (err) {
    return err as ClientError;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/**
 * PutBucketEncryption with a hand-written body, through ali-oss's generic signed request path:
 * `putBucketEncryption` only sends SSEAlgorithm and KMSMasterKeyID, never KMSDataEncryption.
 */
export function putEncryptionXml(client: OssClient, bucket: string, xml: string, successStatuses = [200]) {
  return client.request({
    method: 'PUT',
    bucket,
    subres: 'encryption',
    content: Buffer.from(xml),
    mime: 'xml',
    successStatuses,
  });
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An unsigned HTTP request with a chosen `Host` (what no SDK call sends). */
export function rawRequest(url: string, method: string, path: string, host: string): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, method, path, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Where a request goes: the bucket, key and endpoint region it addresses, and the OSS API operation name
 * (used for faults, and to pick the handler).
 *
 * With an IP endpoint ali-oss sends the path `/key` and `Host: <bucket>.oss-<region>.aliyuncs.com`
 * (ListBuckets: `.oss-<region>.aliyuncs.com`, an empty bucket label). A Host naming a bucket is
 * virtual-hosted style and the whole path is the key, as on the service; a Host without one (the bare
 * region endpoint, or an IP) is path style: `/bucket/key`.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface Target {
  bucket?: string;
  key?: string;
  hostRegion?: string;
}

const HOST = /^(?:([^.]*)\.)?oss-([a-z0-9-]+?)(?:-internal)?\.aliyuncs\.com(?::\d+)?$/i;

function decodePath(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

export function resolveTarget(host: string | undefined, rawPath: string): Target {
  const path = decodePath(rawPath);
  const m = host ? HOST.exec(host) : null;
  const target: Target = {};
  if (m?.[2]) target.hostRegion = m[2].toLowerCase();
  const hostBucket = m?.[1];
  if (hostBucket) {
    target.bucket = hostBucket;
    const key = path.replace(/^\//, '');
    if (key !== '') target.key = key;
    return target;
  }
  const rest = path.replace(/^\//, '');
  if (rest === '') return target;
  const slash = rest.indexOf('/');
  target.bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  if (key !== '') target.key = key;
  return target;
}

function bucketOperation(method: string, q: URLSearchParams): string {
  const on = (sub: string) => q.has(sub);
  switch (method) {
    case 'GET':
      if (on('inventory')) return on('inventoryId') ? 'GetBucketInventory' : 'ListBucketInventory';
      if (on('encryption')) return 'GetBucketEncryption';
      if (on('bucketInfo')) return 'GetBucketInfo';
      if (on('location')) return 'GetBucketLocation';
      if (on('tagging')) return 'GetBucketTagging';
      if (on('versioning')) return 'GetBucketVersioning';
      if (on('uploads')) return 'ListMultipartUploads';
      if (on('acl')) return 'GetBucketAcl';
      return q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    case 'PUT':
      if (on('inventory')) return 'PutBucketInventory';
      if (on('encryption')) return 'PutBucketEncryption';
      if (on('tagging')) return 'PutBucketTagging';
      if (on('versioning')) return 'PutBucketVersioning';
      if (on('acl')) return 'PutBucketAcl';
      return 'PutBucket';
    case 'DELETE':
      if (on('inventory')) return 'DeleteBucketInventory';
      if (on('encryption')) return 'DeleteBucketEncryption';
      if (on('tagging')) return 'DeleteBucketTagging';
      return 'DeleteBucket';
    case 'POST':
      return on('delete') ? 'DeleteMultipleObjects' : 'PostObject';
    default:
      return `${method}Bucket`;
  }
}

function objectOperation(method: string, q: URLSearchParams, headers: IncomingHttpHeaders): string {
  const on = (sub: string) => q.has(sub);
  switch (method) {
    case 'GET':
      if (on('tagging')) return 'GetObjectTagging';
      if (on('uploadId')) return 'ListParts';
      return 'GetObject';
    case 'HEAD':
      return on('objectMeta') ? 'GetObjectMeta' : 'HeadObject';
    case 'PUT':
      if (on('tagging')) return 'PutObjectTagging';
      if (on('uploadId') && on('partNumber')) {
        return headers['x-oss-copy-source'] !== undefined ? 'UploadPartCopy' : 'UploadPart';
      }
      return headers['x-oss-copy-source'] !== undefined ? 'CopyObject' : 'PutObject';
    case 'DELETE':
      if (on('tagging')) return 'DeleteObjectTagging';
      if (on('uploadId')) return 'AbortMultipartUpload';
      return 'DeleteObject';
    case 'POST':
      if (on('uploads')) return 'InitiateMultipartUpload';
      if (on('uploadId')) return 'CompleteMultipartUpload';
      if (on('append')) return 'AppendObject';
      return 'PostObject';
    default:
      return `${method}Object`;
  }
}

/** The OSS API operation a request calls, e.g. `GetBucketEncryption` or `UploadPartCopy`. */
export function operationName(
  method: string,
  target: Target,
  q: URLSearchParams,
  headers: IncomingHttpHeaders,
): string {
  if (target.bucket === undefined) return method === 'GET' ? 'ListBuckets' : `${method}Service`;
  if (target.key === undefined) return bucketOperation(method, q);
  return objectOperation(method, q, headers);
}

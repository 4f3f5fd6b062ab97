/**
 * Object operations: PutObject, GetObject (with Range and conditions), HeadObject, GetObjectMeta,
 * DeleteObject and object tagging. Headers as in the OSS API reference for each operation.
 */
import { createHash } from 'node:crypto';
import { notModified } from './conditions.js';
import {
  authorize,
  bucketArn,
  header,
  httpDate,
  metaFromHeaders,
  type OssContext,
  type OssReply,
  type OssRequest,
  requireBucket,
  requireKey,
  tagsFromHeader,
  xmlReply,
} from './context.js';
import { errors } from './errors.js';
import { checkObjectKey, type ObjectSse, resolveWriteSse, sseFromHeaders, sseHeaders } from './sse.js';
import { type BucketRecord, newVersionId, STORED_HEADERS, type StoredObject } from './state.js';
import { parseTagging, taggingXml } from './xml.js';

/** 400 InvalidDigest when a `Content-MD5` is sent and does not match the body. */
export function checkContentMd5(req: OssRequest): void {
  const sent = header(req, 'content-md5');
  if (sent === undefined) return;
  if (createHash('md5').update(req.body).digest('base64') !== sent) throw errors.invalidDigest();
}

/** 409 FileAlreadyExists for `x-oss-forbid-overwrite: true` on an existing key (ignored when versioned). */
export function checkOverwrite(req: OssRequest, bucket: BucketRecord, key: string): void {
  if (header(req, 'x-oss-forbid-overwrite') === 'true' && !bucket.versioning && bucket.objects.has(key)) {
    throw errors.fileAlreadyExists();
  }
}

/** The SSE a write to `bucket` gets (sse.ts `resolveWriteSse`): its headers, else the bucket default. */
export function writeSse(ctx: OssContext, req: OssRequest, bucket: BucketRecord): ObjectSse | undefined {
  return resolveWriteSse(
    sseFromHeaders(req.headers),
    bucket.encryption,
    ctx.kms,
    bucket.region,
    ctx.state.serviceKeyId,
  );
}

/** `cache-control`, `content-disposition`... as sent with an upload. */
export function storedHeadersFrom(req: OssRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const v = header(req, name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Headers OSS returns after a write: ETag, the SSE applied, the version id. */
export function writeHeaders(obj: StoredObject): Record<string, string> {
  const out: Record<string, string> = { etag: obj.etag, ...sseHeaders(obj.sse) };
  if (obj.versionId) out['x-oss-version-id'] = obj.versionId;
  return out;
}

/** Headers describing a stored object (GetObject / HeadObject). */
export function objectHeaders(obj: StoredObject): Record<string, string | number> {
  const out: Record<string, string | number> = {
    'content-type': obj.contentType,
    etag: obj.etag,
    'last-modified': httpDate(obj.lastModified),
    'accept-ranges': 'bytes',
    'x-oss-object-type': obj.type,
    'x-oss-storage-class': obj.storageClass,
    ...obj.headers,
    ...sseHeaders(obj.sse),
  };
  for (const [k, v] of Object.entries(obj.meta)) out[`x-oss-meta-${k}`] = v;
  const tagCount = Object.keys(obj.tags).length;
  if (tagCount > 0) out['x-oss-tagging-count'] = tagCount;
  if (obj.versionId) out['x-oss-version-id'] = obj.versionId;
  return out;
}

export function putObject(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  const bucket = requireBucket(ctx, req, 'oss:PutObject', { key });
  const tags = tagsFromHeader(req);
  // A PutObject carrying x-oss-tagging also needs oss:PutObjectTagging (OSS error center 0003-00000905).
  if (Object.keys(tags).length > 0)
    authorize(ctx, req, 'oss:PutObjectTagging', bucketArn(ctx, bucket.name, key));
  checkContentMd5(req);
  checkOverwrite(req, bucket, key);
  const sse = writeSse(ctx, req, bucket);
  const obj = ctx.state.putObject(bucket.name, key, req.body, {
    contentType: header(req, 'content-type') || 'application/octet-stream',
    meta: metaFromHeaders(req),
    tags,
    sse: sse ?? null,
    headers: storedHeadersFrom(req),
    // An object takes its bucket's storage class unless the upload names one (oss2 tests/test_bucket.py
    // test_bucket_with_storage_class: an object put into an IA bucket lists as IA).
    storageClass: header(req, 'x-oss-storage-class') ?? bucket.storageClass,
  });
  const md5 = createHash('md5').update(req.body).digest('base64');
  return { status: 200, headers: { ...writeHeaders(obj), 'content-md5': md5 } };
}

/** The object a read names (current, or `?versionId=`), or 404 NoSuchKey. */
function findObject(ctx: OssContext, req: OssRequest, bucket: BucketRecord, key: string): StoredObject {
  const obj = ctx.state.getObject(bucket.name, key, req.query.get('versionId') ?? undefined);
  if (!obj) throw errors.noSuchKey(key);
  return obj;
}

/** GetObject / HeadObject conditions (conditions.ts): 412, 304, or undefined to go on. */
function checkReadConditions(req: OssRequest, obj: StoredObject): OssReply | undefined {
  return notModified((name) => header(req, name), obj)
    ? { status: 304, headers: { etag: obj.etag } }
    : undefined;
}

/** A `Range: bytes=...` within `size`, or undefined to send the whole object. */
function parseRange(req: OssRequest, size: number): { start: number; end: number } | undefined {
  const raw = header(req, 'range');
  const m = raw === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(raw.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
    if (Number(m[2]) === 0) start = size;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size || end < start) {
    // OSS ignores an unsatisfiable range and sends the whole object, unless asked to behave as RFC 7233.
    if (header(req, 'x-oss-range-behavior') === 'standard') throw errors.invalidRange();
    return undefined;
  }
  return { start, end };
}

const RESPONSE_OVERRIDES = [
  'content-type',
  'content-language',
  'expires',
  'cache-control',
  'content-disposition',
  'content-encoding',
];

export function getObject(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  const bucket = requireBucket(ctx, req, 'oss:GetObject', { key });
  const obj = findObject(ctx, req, bucket, key);
  const notModified = checkReadConditions(req, obj);
  if (notModified) return notModified;
  // Decrypting needs the CMK: a disabled or deleted key makes downloads fail too.
  checkObjectKey(ctx.kms, obj.sse, bucket.region);
  const headers = objectHeaders(obj);
  for (const name of RESPONSE_OVERRIDES) {
    const v = req.query.get(`response-${name}`);
    if (v !== null) headers[name] = v;
  }
  const range = parseRange(req, obj.body.length);
  if (!range) return { status: 200, headers, body: obj.body };
  headers['content-range'] = `bytes ${range.start}-${range.end}/${obj.body.length}`;
  return { status: 206, headers, body: obj.body.subarray(range.start, range.end + 1) };
}

export function headObject(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  const bucket = requireBucket(ctx, req, 'oss:GetObject', { key });
  const obj = findObject(ctx, req, bucket, key);
  const notModified = checkReadConditions(req, obj);
  if (notModified) return notModified;
  return { status: 200, headers: { ...objectHeaders(obj), 'content-length': obj.body.length } };
}

export function getObjectMeta(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  const bucket = requireBucket(ctx, req, 'oss:GetObject', { key });
  const obj = findObject(ctx, req, bucket, key);
  const headers: Record<string, string | number> = {
    etag: obj.etag,
    'content-length': obj.body.length,
    'last-modified': httpDate(obj.lastModified),
  };
  if (obj.versionId) headers['x-oss-version-id'] = obj.versionId;
  return { status: 200, headers };
}

export function deleteObject(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  const bucket = requireBucket(ctx, req, 'oss:DeleteObject', { key });
  const existed = ctx.state.deleteObject(bucket.name, key);
  // OSS answers 204 whether or not the key existed.
  if (bucket.versioning && existed) {
    return { status: 204, headers: { 'x-oss-delete-marker': 'true', 'x-oss-version-id': newVersionId() } };
  }
  return { status: 204 };
}

export function getObjectTagging(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  const bucket = requireBucket(ctx, req, 'oss:GetObjectTagging', { key });
  return xmlReply(taggingXml(findObject(ctx, req, bucket, key).tags));
}

export function putObjectTagging(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  const bucket = requireBucket(ctx, req, 'oss:PutObjectTagging', { key });
  const obj = findObject(ctx, req, bucket, key);
  const tags = parseTagging(req.body);
  if (Object.keys(tags).length > 10)
    throw errors.invalidArgument('Object tags cannot be greater than 10', 'Tagging', '');
  obj.tags = tags;
  return { status: 200 };
}

export function deleteObjectTagging(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  const bucket = requireBucket(ctx, req, 'oss:DeleteObjectTagging', { key });
  findObject(ctx, req, bucket, key).tags = {};
  return { status: 204 };
}

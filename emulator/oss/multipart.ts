/**
 * Multipart upload (OSS API reference "InitiateMultipartUpload", "UploadPart", "UploadPartCopy",
 * "CompleteMultipartUpload", "AbortMultipartUpload"): enough for ali-oss `multipartUpload` and
 * `multipartUploadCopy`. The object's SSE is fixed at initiation; parts other than the last must be at
 * least 100 KB; the ETag is `"<MD5 of the parts' MD5s>-<part count>"`.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  authorize,
  bucketArn,
  extranetEndpoint,
  header,
  metaFromHeaders,
  type OssContext,
  type OssReply,
  type OssRequest,
  requireBucket,
  requireKey,
  tagsFromHeader,
  xmlReply,
} from './context.js';
import { readCopySource, sourceConditions } from './copy.js';
import { errors } from './errors.js';
import { checkContentMd5, checkOverwrite, storedHeadersFrom, writeHeaders, writeSse } from './objects.js';
import { sseHeaders } from './sse.js';
import { type BucketRecord, type MultipartUpload, md5Etag } from './state.js';
import { child, children, isoDate, parseXml, text, toXml } from './xml.js';

const MIN_PART_SIZE = 100 * 1024;

function uploadOf(req: OssRequest, bucket: BucketRecord, key: string): MultipartUpload {
  const uploadId = req.query.get('uploadId') ?? '';
  const upload = bucket.uploads.get(uploadId);
  if (!upload || upload.key !== key) throw errors.noSuchUpload(uploadId);
  return upload;
}

function partNumber(req: OssRequest): number {
  const raw = req.query.get('partNumber') ?? '';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 10000) {
    throw errors.invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive.',
      'partNumber',
      raw,
    );
  }
  return n;
}

export function initiateMultipartUpload(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  const bucket = requireBucket(ctx, req, 'oss:PutObject', { key });
  const tags = tagsFromHeader(req);
  if (Object.keys(tags).length > 0)
    authorize(ctx, req, 'oss:PutObjectTagging', bucketArn(ctx, bucket.name, key));
  checkOverwrite(req, bucket, key);
  const sse = writeSse(ctx, req, bucket);
  const upload: MultipartUpload = {
    uploadId: randomBytes(16).toString('hex').toUpperCase(),
    key,
    initiated: ctx.now(),
    contentType: header(req, 'content-type') || 'application/octet-stream',
    meta: metaFromHeaders(req),
    tags,
    headers: storedHeadersFrom(req),
    parts: new Map(),
  };
  if (sse) upload.sse = sse;
  bucket.uploads.set(upload.uploadId, upload);
  const body = toXml('InitiateMultipartUploadResult', {
    Bucket: bucket.name,
    Key: key,
    UploadId: upload.uploadId,
  });
  return xmlReply(body, sseHeaders(sse));
}

/**
 * The object's SSE is fixed at initiation: UploadPart and CompleteMultipartUpload carrying
 * `x-oss-server-side-encryption` are 400 InvalidArgument (aliyun-oss-python-sdk
 * `tests/test_server_side_encryotion.py` `test_multipart_upload`; ali-oss strips that header from both).
 * Inferred: the source always sends it together with `x-oss-server-side-data-encryption`; the data
 * encryption alone is accepted and ignored here, since ali-oss `multipartUpload` forwards it to every
 * part and OSS is not known to refuse that.
 */
function refuseSseHeaders(req: OssRequest): void {
  const value = header(req, 'x-oss-server-side-encryption');
  if (value !== undefined) {
    throw errors.invalidArgument(
      'x-oss-server-side-encryption is not supported for this operation',
      'x-oss-server-side-encryption',
      value,
    );
  }
}

export function uploadPart(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  const bucket = requireBucket(ctx, req, 'oss:PutObject', { key });
  const upload = uploadOf(req, bucket, key);
  refuseSseHeaders(req);
  const n = partNumber(req);
  checkContentMd5(req);
  const etag = md5Etag(req.body);
  upload.parts.set(n, { partNumber: n, body: req.body, etag, lastModified: ctx.now() });
  return { status: 200, headers: { etag, ...sseHeaders(upload.sse) } };
}

export function uploadPartCopy(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  const bucket = requireBucket(ctx, req, 'oss:PutObject', { key });
  const upload = uploadOf(req, bucket, key);
  const n = partNumber(req);
  const { object } = readCopySource(ctx, req);
  // UploadPartCopy honours the same x-oss-copy-source-if-* conditions as CopyObject (OSS API reference).
  const skip = sourceConditions(req, object);
  if (skip) return skip;
  let body = object.body;
  const range = header(req, 'x-oss-copy-source-range');
  if (range !== undefined) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(range.trim());
    const start = Number(m?.[1]);
    const end = Number(m?.[2]);
    if (!m || end < start || end >= object.body.length) {
      throw errors.invalidArgument(
        'The x-oss-copy-source-range is invalid',
        'x-oss-copy-source-range',
        range,
      );
    }
    body = object.body.subarray(start, end + 1);
  }
  const etag = md5Etag(body);
  const lastModified = ctx.now();
  upload.parts.set(n, { partNumber: n, body, etag, lastModified });
  const xml = toXml('CopyPartResult', { LastModified: isoDate(lastModified), ETag: etag });
  return xmlReply(xml, { etag, ...sseHeaders(upload.sse) });
}

const norm = (etag: string) => etag.replace(/^"|"$/g, '').toUpperCase();

/** The parts a CompleteMultipartUpload names (or all of them with `x-oss-complete-all: yes`). */
function chosenParts(req: OssRequest, upload: MultipartUpload): number[] {
  if (header(req, 'x-oss-complete-all') === 'yes') return [...upload.parts.keys()].sort((a, b) => a - b);
  const list = children(child(parseXml(req.body), 'CompleteMultipartUpload'), 'Part');
  if (list.length === 0) throw errors.malformedXml();
  const numbers: number[] = [];
  for (const p of list) {
    const n = Number(text(p, 'PartNumber'));
    const part = upload.parts.get(n);
    if (!part || norm(text(p, 'ETag') ?? '') !== norm(part.etag)) throw errors.invalidPart();
    if (numbers.length > 0 && n <= (numbers[numbers.length - 1] as number)) throw errors.invalidPartOrder();
    numbers.push(n);
  }
  return numbers;
}

export function completeMultipartUpload(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  const bucket = requireBucket(ctx, req, 'oss:PutObject', { key });
  const upload = uploadOf(req, bucket, key);
  refuseSseHeaders(req);
  const parts = chosenParts(req, upload).map((n) => upload.parts.get(n)!);
  if (parts.slice(0, -1).some((p) => p.body.length < MIN_PART_SIZE)) throw errors.entityTooSmall();
  checkOverwrite(req, bucket, key);
  const digest = createHash('md5');
  for (const p of parts) digest.update(Buffer.from(norm(p.etag), 'hex'));
  const etag = `"${digest.digest('hex').toUpperCase()}-${parts.length}"`;
  const obj = ctx.state.putObject(bucket.name, key, Buffer.concat(parts.map((p) => p.body)), {
    contentType: upload.contentType,
    meta: upload.meta,
    tags: upload.tags,
    headers: upload.headers,
    sse: upload.sse ?? null,
    etag,
    type: 'Multipart',
  });
  bucket.uploads.delete(upload.uploadId);
  const encode = req.query.get('encoding-type') === 'url';
  const xml = toXml('CompleteMultipartUploadResult', {
    EncodingType: encode ? 'url' : undefined,
    Location: `http://${bucket.name}.${extranetEndpoint(bucket.region)}/${encodeURI(key)}`,
    Bucket: bucket.name,
    Key: encode ? encodeURIComponent(key) : key,
    ETag: etag,
  });
  return xmlReply(xml, writeHeaders(obj));
}

export function abortMultipartUpload(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  // RAM names this action oss:AbortMultipartUpload (OSS "RAM policy" action list).
  const bucket = requireBucket(ctx, req, 'oss:AbortMultipartUpload', { key });
  const upload = uploadOf(req, bucket, key);
  bucket.uploads.delete(upload.uploadId);
  return { status: 204 };
}

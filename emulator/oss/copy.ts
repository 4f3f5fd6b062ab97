/**
 * CopyObject (OSS API reference "CopyObject"): `x-oss-copy-source: /bucket/url-encoded-key`, metadata
 * and tagging directives, source conditions. The copy does NOT carry the source's SSE: the destination
 * gets the request's SSE headers, else its bucket default, else none.
 */

import { notModified } from './conditions.js';
import {
  authorize,
  bucketArn,
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
import { errors } from './errors.js';
import { checkOverwrite, storedHeadersFrom, writeHeaders, writeSse } from './objects.js';
import { checkObjectKey } from './sse.js';
import type { BucketRecord, StoredObject } from './state.js';
import { isoDate, toXml } from './xml.js';

export interface CopySource {
  bucket: BucketRecord;
  object: StoredObject;
}

/** Parses `x-oss-copy-source`, checks access to the source and its KMS key, and returns it. */
export function readCopySource(ctx: OssContext, req: OssRequest): CopySource {
  const raw = header(req, 'x-oss-copy-source') ?? '';
  const [pathPart = '', queryPart] = raw.split('?', 2);
  let path: string;
  try {
    path = decodeURIComponent(pathPart);
  } catch {
    path = pathPart;
  }
  const m = /^\/?([^/]+)\/(.+)$/.exec(path);
  if (!m?.[1] || !m[2]) {
    throw errors.invalidArgument(
      // Message as go-sdk-v2 `TestCopyObject` asserts it (with the final period).
      'Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.',
      'x-oss-copy-source',
      raw,
    );
  }
  const [, bucketName, key] = m as unknown as [string, string, string];
  const bucket = ctx.state.getBucket(bucketName);
  if (!bucket) throw errors.noSuchBucket(bucketName);
  authorize(ctx, req, 'oss:GetObject', bucketArn(ctx, bucketName, key));
  const versionId = queryPart ? (new URLSearchParams(queryPart).get('versionId') ?? undefined) : undefined;
  const object = ctx.state.getObject(bucketName, key, versionId);
  if (!object) throw errors.noSuchKey(key);
  checkObjectKey(ctx.kms, object.sse, bucket.region);
  return { bucket, object };
}

/** `x-oss-copy-source-if-*` (conditions.ts): a failed if-match / if-unmodified-since is 412, the others 304. */
export function sourceConditions(req: OssRequest, src: StoredObject): OssReply | undefined {
  return notModified((name) => header(req, `x-oss-copy-source-${name}`), src) ? { status: 304 } : undefined;
}

function directive(req: OssRequest, name: string, values: string[]): string {
  const v = header(req, name);
  if (v === undefined) return values[0] as string;
  const hit = values.find((x) => x.toLowerCase() === v.toLowerCase());
  if (!hit) throw errors.invalidArgument(`${name} is invalid`, name, v);
  return hit;
}

export function copyObject(ctx: OssContext, req: OssRequest): OssReply {
  const key = requireKey(req);
  const dest = requireBucket(ctx, req, 'oss:PutObject', { key });
  const { bucket: srcBucket, object: src } = readCopySource(ctx, req);
  const skip = sourceConditions(req, src);
  if (skip) return skip;
  const metadata = directive(req, 'x-oss-metadata-directive', ['COPY', 'REPLACE']);
  const tagging = directive(req, 'x-oss-tagging-directive', ['Copy', 'Replace']);
  checkOverwrite(req, dest, key);
  const sse = writeSse(ctx, req, dest);
  const replace = metadata === 'REPLACE';
  const tags = tagging === 'Replace' ? tagsFromHeader(req) : { ...src.tags };
  if (tagging === 'Replace' && Object.keys(tags).length > 0) {
    authorize(ctx, req, 'oss:PutObjectTagging', bucketArn(ctx, dest.name, key));
  }
  const obj = ctx.state.putObject(dest.name, key, src.body, {
    contentType: replace ? header(req, 'content-type') || 'application/octet-stream' : src.contentType,
    meta: replace ? metaFromHeaders(req) : { ...src.meta },
    headers: replace ? storedHeadersFrom(req) : { ...src.headers },
    tags,
    sse: sse ?? null,
    etag: src.etag,
    type: src.type,
    storageClass: header(req, 'x-oss-storage-class') ?? src.storageClass,
  });
  const headers: Record<string, string> = writeHeaders(obj);
  if (srcBucket.versioning && src.versionId) headers['x-oss-copy-source-version-id'] = src.versionId;
  return xmlReply(
    toXml('CopyObjectResult', { ETag: obj.etag, LastModified: isoDate(obj.lastModified) }),
    headers,
  );
}

/**
 * ListObjects (GetBucket, v1: prefix, marker, max-keys, delimiter, encoding-type=url) and ListObjectsV2
 * (`list-type=2`: continuation-token, start-after, fetch-owner). OSS API reference "ListObjects" and
 * "ListObjectsV2". ali-oss `list` reads `Owner.ID` of every v1 entry, so v1 always sends `<Owner>`.
 */
import { maxKeys } from './buckets.js';
import { type OssContext, type OssReply, type OssRequest, requireBucket, xmlReply } from './context.js';
import { errors } from './errors.js';
import type { BucketRecord, StoredObject } from './state.js';
import { isoDate, toXml, type XmlElement } from './xml.js';

interface Page {
  contents: StoredObject[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  next: string;
}

function collect(bucket: BucketRecord, prefix: string, after: string, delimiter: string, max: number): Page {
  const page: Page = { contents: [], prefixes: [], truncated: false, next: '' };
  // A marker that is itself a common prefix: everything under it was already summarised.
  const skip = delimiter !== '' && after.startsWith(prefix) && after.endsWith(delimiter) ? after : undefined;
  let count = 0;
  for (const key of bucket.keys.from(after, prefix)) {
    if (skip !== undefined && key.startsWith(skip)) continue;
    let common: string | undefined;
    if (delimiter !== '') {
      const at = key.indexOf(delimiter, prefix.length);
      if (at >= 0) common = key.slice(0, at + delimiter.length);
    }
    if (common !== undefined && common === page.prefixes[page.prefixes.length - 1]) continue;
    if (count === max) {
      page.truncated = true;
      break;
    }
    count += 1;
    if (common !== undefined) {
      page.prefixes.push(common);
      page.next = common;
    } else {
      const obj = bucket.objects.get(key);
      if (obj) page.contents.push(obj);
      page.next = key;
    }
  }
  return page;
}

function encoder(req: OssRequest): (s: string) => string {
  const type = req.query.get('encoding-type');
  if (type === null) return (s) => s;
  if (type !== 'url') throw errors.invalidArgument('The encoding-type is invalid', 'encoding-type', type);
  return (s) => encodeURIComponent(s);
}

function entry(
  ctx: OssContext,
  obj: StoredObject,
  enc: (s: string) => string,
  withOwner: boolean,
): XmlElement {
  const out: XmlElement = {
    Key: enc(obj.key),
    LastModified: isoDate(obj.lastModified),
    ETag: obj.etag,
    Type: obj.type,
    Size: obj.body.length,
    StorageClass: obj.storageClass,
  };
  if (withOwner) out.Owner = { ID: ctx.accounts.accountId, DisplayName: ctx.accounts.accountId };
  return out;
}

function prefixesXml(page: Page, enc: (s: string) => string): XmlElement[] {
  return page.prefixes.map((p) => ({ Prefix: enc(p) }));
}

export function listObjects(ctx: OssContext, req: OssRequest): OssReply {
  const bucket = requireBucket(ctx, req, 'oss:ListObjects');
  const enc = encoder(req);
  const prefix = req.query.get('prefix') ?? '';
  const marker = req.query.get('marker') ?? '';
  const delimiter = req.query.get('delimiter') ?? '';
  const max = maxKeys(req);
  const page = collect(bucket, prefix, marker, delimiter, max);
  const body: XmlElement = {
    Name: bucket.name,
    Prefix: enc(prefix),
    Marker: enc(marker),
    MaxKeys: max,
    Delimiter: enc(delimiter),
    IsTruncated: page.truncated,
    NextMarker: page.truncated ? enc(page.next) : undefined,
    EncodingType: req.query.has('encoding-type') ? 'url' : undefined,
    Contents: page.contents.map((o) => entry(ctx, o, enc, true)),
    CommonPrefixes: prefixesXml(page, enc),
  };
  return xmlReply(toXml('ListBucketResult', body));
}

export function listObjectsV2(ctx: OssContext, req: OssRequest): OssReply {
  const bucket = requireBucket(ctx, req, 'oss:ListObjects');
  const enc = encoder(req);
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') ?? '';
  const startAfter = req.query.get('start-after');
  const token = req.query.get('continuation-token');
  let after = startAfter ?? '';
  if (token !== null) {
    after = Buffer.from(token, 'base64url').toString('utf8');
    if (token === '' || Buffer.from(after).toString('base64url') !== token) {
      throw errors.invalidArgument(
        'The continuation token provided is incorrect',
        'continuation-token',
        token,
      );
    }
  }
  const max = maxKeys(req);
  const page = collect(bucket, prefix, after, delimiter, max);
  const withOwner = req.query.get('fetch-owner') === 'true';
  const body: XmlElement = {
    Name: bucket.name,
    Prefix: enc(prefix),
    StartAfter: startAfter === null ? undefined : enc(startAfter),
    ContinuationToken: token ?? undefined,
    MaxKeys: max,
    Delimiter: enc(delimiter),
    IsTruncated: page.truncated,
    NextContinuationToken: page.truncated ? Buffer.from(page.next).toString('base64url') : undefined,
    EncodingType: req.query.has('encoding-type') ? 'url' : undefined,
    Contents: page.contents.map((o) => entry(ctx, o, enc, withOwner)),
    CommonPrefixes: prefixesXml(page, enc),
    KeyCount: page.contents.length + page.prefixes.length,
  };
  return xmlReply(toXml('ListBucketResult', body));
}

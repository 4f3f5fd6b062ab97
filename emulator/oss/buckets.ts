/**
 * Bucket operations: ListBuckets (all regions, paged), PutBucket, DeleteBucket, GetBucketInfo,
 * GetBucketLocation, bucket tagging and versioning. Shapes follow the OSS API reference samples (see
 * wire-samples/oss-list-buckets.xml; GetBucketInfo as in the go-sdk-v2 and oss2 test fixtures).
 */

import { bucketTagFilter, listedTags } from './bucket-tag-filter.js';
import {
  authorize,
  bucketArn,
  extranetEndpoint,
  header,
  type OssContext,
  type OssReply,
  type OssRequest,
  requireBucket,
  xmlReply,
} from './context.js';
import { errors } from './errors.js';
import { bucketInfoSseElement } from './sse.js';
import type { Acl, BucketRecord } from './state.js';
import { child, isoDate, parseTagging, parseXml, taggingXml, text, toXml, type XmlElement } from './xml.js';

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const ACLS = new Set<string>(['private', 'public-read', 'public-read-write']);

function owner(ctx: OssContext): XmlElement {
  return { ID: ctx.accounts.accountId, DisplayName: ctx.accounts.accountId };
}

/** `max-keys` as OSS validates it: an integer 1..1000, default 100. */
export function maxKeys(req: OssRequest, fallback = 100): number {
  const raw = req.query.get('max-keys');
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 1000) {
    throw errors.invalidArgument('Argument max-keys must be an integer between 1 and 1000.', 'max-keys', raw);
  }
  return Number(raw);
}

function bucketSummary(b: BucketRecord): XmlElement {
  return {
    CreationDate: isoDate(b.creationDate),
    ExtranetEndpoint: extranetEndpoint(b.region),
    IntranetEndpoint: `oss-${b.region}-internal.aliyuncs.com`,
    Location: `oss-${b.region}`,
    Name: b.name,
    Region: b.region,
    StorageClass: b.storageClass,
  };
}

export function listBuckets(ctx: OssContext, req: OssRequest): OssReply {
  if (req.accessKeyId === '') throw errors.accessDenied('Anonymous access is forbidden for this operation.');
  authorize(ctx, req, 'oss:ListBuckets', `acs:oss:*:${ctx.accounts.accountId}:*`);
  const prefix = req.query.get('prefix') ?? '';
  const marker = req.query.get('marker') ?? '';
  const limit = maxKeys(req);
  const filter = bucketTagFilter(req.query);
  const page = ctx.state.pageBuckets(prefix, marker, limit, filter);
  const paged = ['prefix', 'marker', 'max-keys'].some((p) => req.query.has(p));
  const body: XmlElement = {};
  if (paged) Object.assign(body, { Prefix: prefix, Marker: marker, MaxKeys: limit });
  if (paged || page.truncated) body.IsTruncated = page.truncated;
  if (page.truncated) body.NextMarker = page.buckets[page.buckets.length - 1]?.name ?? '';
  body.Owner = owner(ctx);
  // An empty page is `<Buckets></Buckets>`: ali-oss then returns `buckets: null`.
  const summary = (b: BucketRecord) =>
    filter ? { ...bucketSummary(b), Tagging: listedTags(b.tags) } : bucketSummary(b);
  body.Buckets = page.buckets.length > 0 ? { Bucket: page.buckets.map(summary) } : '';
  return xmlReply(toXml('ListAllMyBucketsResult', body));
}

export function putBucket(ctx: OssContext, req: OssRequest): OssReply {
  const name = req.bucket ?? '';
  if (!BUCKET_NAME.test(name)) throw errors.invalidBucketName(name);
  authorize(ctx, req, 'oss:PutBucket', bucketArn(ctx, name));
  if (ctx.state.getBucket(name)) throw errors.bucketAlreadyExists(name);
  const acl = header(req, 'x-oss-acl') ?? 'private';
  if (!ACLS.has(acl)) throw errors.invalidArgument('no such bucket access control exists', 'x-oss-acl', acl);
  let storageClass = 'Standard';
  if (req.body.length > 0) {
    const config = child(parseXml(req.body), 'CreateBucketConfiguration');
    if (!config) throw errors.malformedXml();
    storageClass = text(config, 'StorageClass') ?? storageClass;
  }
  ctx.state.createBucket(name, req.hostRegion ?? 'cn-hangzhou', { acl: acl as Acl, storageClass });
  return { status: 200, headers: { location: `/${name}` } };
}

export function deleteBucket(ctx: OssContext, req: OssRequest): OssReply {
  const bucket = requireBucket(ctx, req, 'oss:DeleteBucket');
  if (bucket.objects.size > 0 || bucket.uploads.size > 0) throw errors.bucketNotEmpty(bucket.name);
  ctx.state.deleteBucket(bucket.name);
  return { status: 204 };
}

export function getBucketInfo(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:GetBucketInfo');
  const info: XmlElement = {
    AccessMonitor: 'Disabled',
    CreationDate: isoDate(b.creationDate),
    CrossRegionReplication: 'Disabled',
    DataRedundancyType: 'LRS',
    ExtranetEndpoint: extranetEndpoint(b.region),
    IntranetEndpoint: `oss-${b.region}-internal.aliyuncs.com`,
    Location: `oss-${b.region}`,
    Name: b.name,
    StorageClass: b.storageClass,
    TransferAcceleration: 'Disabled',
    // go-sdk-v2 `TestGetBucketInfo` asserts a non-empty ResourceGroupId; its BucketInfo model also
    // reads BlockPublicAccess (a boolean; false: the emulator models no public-access block).
    ResourceGroupId: b.resourceGroupId,
    BlockPublicAccess: false,
    Owner: owner(ctx),
    AccessControlList: { Grant: b.acl },
    ServerSideEncryptionRule: bucketInfoSseElement(b.encryption),
    BucketPolicy: { LogBucket: '', LogPrefix: '' },
  };
  if (b.versioning) info.Versioning = b.versioning;
  return xmlReply(toXml('BucketInfo', { Bucket: info }));
}

/** GetBucketLocation answers from any region's endpoint: it is how a client finds a bucket's region. */
export function getBucketLocation(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:GetBucketLocation', { anyRegion: true });
  return xmlReply(toXml('LocationConstraint', `oss-${b.region}`));
}

export function getBucketTagging(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:GetBucketTagging');
  return xmlReply(taggingXml(b.tags));
}

export function putBucketTagging(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:PutBucketTagging');
  const tags = parseTagging(req.body);
  if (Object.keys(tags).length > 20)
    throw errors.invalidArgument('Bucket tags cannot be more than 20.', 'Tagging', '');
  ctx.state.setTags(b.name, tags);
  return { status: 200 };
}

export function deleteBucketTagging(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:DeleteBucketTagging');
  ctx.state.setTags(b.name, {});
  return { status: 204 };
}

export function putBucketVersioning(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:PutBucketVersioning');
  const status = text(child(parseXml(req.body), 'VersioningConfiguration'), 'Status');
  if (status !== 'Enabled' && status !== 'Suspended') throw errors.malformedXml();
  ctx.state.setVersioning(b.name, status);
  return { status: 200 };
}

export function getBucketVersioning(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:GetBucketVersioning');
  return xmlReply(toXml('VersioningConfiguration', b.versioning ? { Status: b.versioning } : {}));
}

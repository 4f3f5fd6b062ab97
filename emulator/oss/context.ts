/**
 * What every OSS handler receives and returns, and the checks most of them share: the bucket exists, it
 * is addressed through its own region's endpoint, and the caller's RAM policy allows the action.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Accounts } from '../core/accounts.js';
import { errors } from './errors.js';
import type { KmsKeyLookup } from './sse.js';
import type { BucketRecord, OssState } from './state.js';

export interface OssContext {
  state: OssState;
  accounts: Accounts;
  kms?: KmsKeyLookup;
  now: () => Date;
  /** Error code for a bucket reached through another region's endpoint (see errors.wrongEndpoint). */
  wrongEndpointCode: string;
}

export interface OssRequest {
  method: string;
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
  bucket?: string;
  key?: string;
  /** The region of the endpoint in `Host` (`oss-cn-shanghai.aliyuncs.com` -> `cn-shanghai`), if any. */
  hostRegion?: string;
  body: Buffer;
  requestId: string;
  /** Set once the signature is verified; empty for an anonymous request. */
  accessKeyId: string;
}

export interface OssReply {
  status: number;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
}

/** A 200 with an XML body. */
export function xmlReply(body: string, headers: Record<string, string | number> = {}): OssReply {
  return { status: 200, headers: { 'content-type': 'application/xml', ...headers }, body };
}

export function header(req: OssRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function bucketArn(ctx: OssContext, bucket: string, key?: string): string {
  const owner = ctx.state.getBucket(bucket)?.owner ?? ctx.accounts.accountId;
  return `acs:oss:*:${owner}:${bucket}${key === undefined ? '' : `/${key}`}`;
}

/** The caller's account as the bucket store keys it: '' for the emulator's own account. */
export function ownerKey(ctx: OssContext, accessKeyId: string): string {
  const account = ctx.accounts.accountOf(accessKeyId);
  return account === ctx.accounts.accountId ? '' : account;
}

/** Throws 403 AccessDenied unless the caller may do `action` on `resource`. */
export function authorize(ctx: OssContext, req: OssRequest, action: string, resource: string): void {
  if (!ctx.accounts.authorize(req.accessKeyId, action, resource)) {
    throw errors.accessDenied('You have no right to access this object because of bucket acl.');
  }
}

/** The public endpoint of a region, as OSS names it in errors and listings. */
export function extranetEndpoint(region: string): string {
  return `oss-${region}.aliyuncs.com`;
}

/**
 * The request's bucket: it must exist (404 NoSuchBucket) and be reached through its region's endpoint
 * (403, with `<Endpoint>`), then the caller needs `action` on it (or on `bucket/key`).
 */
export function requireBucket(
  ctx: OssContext,
  req: OssRequest,
  action: string,
  options: { key?: string; anyRegion?: boolean } = {},
): BucketRecord {
  const name = req.bucket ?? '';
  const bucket = ctx.state.getBucket(name);
  if (!bucket) throw errors.noSuchBucket(name);
  if (!options.anyRegion && req.hostRegion !== undefined && req.hostRegion !== bucket.region) {
    throw errors.wrongEndpoint(ctx.wrongEndpointCode, name, `${name}.${extranetEndpoint(bucket.region)}`);
  }
  authorize(ctx, req, action, bucketArn(ctx, name, options.key));
  return bucket;
}

/** The request's object key, or the 400 OSS gives for a missing or too long one. */
export function requireKey(req: OssRequest): string {
  const key = req.key ?? '';
  if (key === '' || Buffer.byteLength(key) > 1023) {
    throw errors.invalidArgument('The Length of Object name must be between 1 and 1023', 'key', key);
  }
  return key;
}

/** RFC 1123 date, as in `Date` and `Last-Modified`. */
export function httpDate(d: Date): string {
  return d.toUTCString();
}

/** User metadata from `x-oss-meta-*` request headers. */
export function metaFromHeaders(req: OssRequest): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.startsWith('x-oss-meta-') && v !== undefined)
      meta[k.slice(11)] = Array.isArray(v) ? v.join(',') : v;
  }
  return meta;
}

/** Tags from the `x-oss-tagging` header (URL query-string encoded, `k1=v1&k2=v2`). */
export function tagsFromHeader(req: OssRequest): Record<string, string> {
  const raw = header(req, 'x-oss-tagging');
  if (raw === undefined || raw === '') return {};
  return Object.fromEntries(new URLSearchParams(raw));
}

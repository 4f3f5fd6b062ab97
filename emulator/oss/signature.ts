/**
 * OSS request signatures, computed the way the service checks them.
 *
 * V1 ("Include a V1 signature in the Authorization header"): base64 HMAC-SHA1 over
 * `VERB\nContent-MD5\nContent-Type\nDate\n` + sorted `x-oss-*` headers + `/bucket/key?subresources`, where
 * only the sub-resources OSS signs take part (list from alibabacloud-oss-go-sdk-v2 `signer/v1.go`, plus
 * the bucket sub-resources the V1 signer passes per operation).
 * V4 ("Include a V4 signature in the Authorization header"): hex HMAC-SHA256 with the key derived from
 * `aliyun_v4<secret>` / date / region / `oss` / `aliyun_v4_request` over `OSS4-HMAC-SHA256\n<x-oss-date>\n
 * <scope>\n<sha256(canonical request)>` (go-sdk-v2 `signer/v4.go`, ali-oss `lib/common/signUtils.js`).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

// biome-ignore format: a word list reads better packed
export const SIGNED_SUBRESOURCES = new Set([
  'acl', 'append', 'asyncFetch', 'bucketInfo', 'callback', 'callback-var', 'cname', 'comp', 'continuation-token',
  'cors', 'delete', 'encryption', 'endTime', 'img', 'inventory', 'inventoryId', 'lifecycle', 'live', 'location',
  'logging', 'objectMeta', 'partNumber', 'policy', 'position', 'qos', 'qosInfo', 'referer', 'regionList',
  'replication', 'replicationLocation', 'replicationProgress', 'requestPayment', 'resourceGroup', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding', 'response-content-language', 'response-content-type',
  'response-expires', 'restore', 'security-token', 'sequential', 'startTime', 'stat', 'status', 'style',
  'styleName', 'symlink', 'tagging', 'transferAcceleration', 'uploadId', 'uploads', 'versionId', 'versioning',
  'versions', 'vod', 'website', 'worm', 'wormExtend', 'wormId',
]);

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.map((x) => x.trim()).join(',') : v.trim();
}

/** `/bucket/key?sub&sub=v` with the signed sub-resources of `query`, values unencoded (V1). */
export function v1CanonicalResource(
  bucket: string | undefined,
  key: string | undefined,
  query: URLSearchParams,
): string {
  let resource = bucket ? `/${bucket}/${key ?? ''}` : '/';
  const names = [...new Set(query.keys())]
    .filter((k) => SIGNED_SUBRESOURCES.has(k) || k.startsWith('x-oss-'))
    .sort();
  if (names.length > 0) {
    resource += `?${names
      .map((k) => {
        const v = query.get(k) ?? '';
        return v === '' ? k : `${k}=${v}`;
      })
      .join('&')}`;
  }
  return resource;
}

/** The V1 string to sign; `date` is the Date slot (the `x-oss-date`/`Date` header, or `Expires`). */
export function v1StringToSign(
  method: string,
  headers: IncomingHttpHeaders,
  date: string,
  canonicalResource: string,
): string {
  const ossHeaders = Object.keys(headers)
    .filter((k) => k.startsWith('x-oss-'))
    .sort()
    .map((k) => `${k}:${headerValue(headers, k) ?? ''}\n`)
    .join('');
  return [
    method.toUpperCase(),
    headerValue(headers, 'content-md5') ?? '',
    headerValue(headers, 'content-type') ?? '',
    date,
    `${ossHeaders}${canonicalResource}`,
  ].join('\n');
}

export function v1Signature(secret: string, stringToSign: string): string {
  return createHmac('sha1', secret).update(Buffer.from(stringToSign, 'utf8')).digest('base64');
}

/** RFC 3986 encoding as OSS V4 uses it (encodeURIComponent plus `!'()*`). */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface V4Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  product: string;
  additionalHeaders: string[];
  signature: string;
}

/** Parses `OSS4-HMAC-SHA256 Credential=ak/date/region/oss/aliyun_v4_request,AdditionalHeaders=a;b,Signature=hex`. */
export function parseV4Authorization(value: string): V4Authorization | undefined {
  const m = /^OSS4-HMAC-SHA256\s+(.*)$/s.exec(value.trim());
  if (!m?.[1]) return undefined;
  const fields = new Map<string, string>();
  for (const part of m[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential')?.split('/');
  const signature = fields.get('Signature');
  if (credential?.length !== 5 || credential[4] !== 'aliyun_v4_request' || !signature) return undefined;
  const [accessKeyId, date, region, product] = credential as [string, string, string, string, string];
  const extra = fields.get('AdditionalHeaders');
  return {
    accessKeyId,
    date,
    region,
    product,
    additionalHeaders: extra ? extra.split(';') : [],
    signature,
  };
}

/** The V4 canonical request. */
export function v4CanonicalRequest(
  method: string,
  bucket: string | undefined,
  key: string | undefined,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  additionalHeaders: string[],
): string {
  const uri = rfc3986(`/${bucket ? `${bucket}/` : ''}${key ?? ''}`).replace(/%2F/g, '/');
  const pairs = [...query.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const canonicalQuery = pairs.map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join('&');
  const additional = new Set(additionalHeaders.map((h) => h.toLowerCase()));
  const signed = Object.keys(headers)
    .filter((k) => k === 'content-type' || k === 'content-md5' || k.startsWith('x-oss-') || additional.has(k))
    .sort();
  const canonicalHeaders = signed.map((k) => `${k}:${headerValue(headers, k) ?? ''}\n`).join('');
  return [
    method.toUpperCase(),
    uri,
    canonicalQuery,
    canonicalHeaders,
    additionalHeaders.join(';'),
    headerValue(headers, 'x-oss-content-sha256') ?? 'UNSIGNED-PAYLOAD',
  ].join('\n');
}

export function v4StringToSign(datetime: string, scope: string, canonicalRequest: string): string {
  const hash = createHash('sha256').update(canonicalRequest).digest('hex');
  return ['OSS4-HMAC-SHA256', datetime, scope, hash].join('\n');
}

export function v4Signature(
  secret: string,
  date: string,
  region: string,
  product: string,
  stringToSign: string,
): string {
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`aliyun_v4${secret}`, date), region), product), 'aliyun_v4_request');
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}

/** Constant-time comparison of two signatures. */
export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

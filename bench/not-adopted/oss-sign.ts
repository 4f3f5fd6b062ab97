/**
 * NOT ADOPTED (hand-written signing; see direct-gateway.ts). OSS request signing for one bucket
 * sub-resource GET (V1 and V4), as ali-oss 6.x signs it (lib/common/signUtils.js): what Proposal B's
 * direct GetBucketEncryption needs, nothing more.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigningKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** `Fri, 13 Nov 2026 08:00:00 GMT` (V1) and `20261113T080000Z` (V4). */
export function ossDates(now: Date): { v1: string; v4: string } {
  const iso = now.toISOString();
  return {
    v1: now.toUTCString(),
    v4: `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`,
  };
}

function ossHeaderLines(headers: Record<string, string>): string {
  return Object.keys(headers)
    .filter((k) => k.startsWith('x-oss-'))
    .sort()
    .map((k) => `${k}:${(headers[k] ?? '').trim()}\n`)
    .join('');
}

/**
 * Headers (with `authorization`) for `GET /<bucket>/?<subresource>` with no body. `region` is the
 * standard id (`cn-hangzhou`); V4 signs with it.
 */
export function signedSubresourceGet(
  key: SigningKey,
  bucket: string,
  subresource: string,
  region: string,
  v4: boolean,
  now = new Date(),
): Record<string, string> {
  const dates = ossDates(now);
  const headers: Record<string, string> = { 'x-oss-date': v4 ? dates.v4 : dates.v1 };
  if (v4) headers['x-oss-content-sha256'] = 'UNSIGNED-PAYLOAD';
  if (key.securityToken) headers['x-oss-security-token'] = key.securityToken;
  if (!v4) {
    const toSign = `GET\n\n\n${dates.v1}\n${ossHeaderLines(headers)}/${bucket}/?${subresource}`;
    const sig = createHmac('sha1', key.accessKeySecret).update(toSign, 'utf8').digest('base64');
    headers.authorization = `OSS ${key.accessKeyId}:${sig}`;
    return headers;
  }
  const day = dates.v4.slice(0, 8);
  const scope = `${day}/${region}/oss/aliyun_v4_request`;
  const canonical = `GET\n/${encodeURIComponent(bucket)}/\n${subresource}\n${ossHeaderLines(headers)}\n\nUNSIGNED-PAYLOAD`;
  const toSign = `OSS4-HMAC-SHA256\n${dates.v4}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  let k: Buffer = createHmac('sha256', `aliyun_v4${key.accessKeySecret}`).update(day).digest();
  for (const part of [region, 'oss', 'aliyun_v4_request']) k = createHmac('sha256', k).update(part).digest();
  const sig = createHmac('sha256', k).update(toSign).digest('hex');
  headers.authorization = `OSS4-HMAC-SHA256 Credential=${key.accessKeyId}/${scope},Signature=${sig}`;
  return headers;
}

/**
 * The `FC` request signature @alicloud/fc2 sends (`lib/helper.js` composeStringToSign, `lib/client.js`
 * getSignature): `Authorization: FC <accessKeyId>:<base64 HMAC-SHA256(secret, StringToSign)>` with
 *
 *   StringToSign = METHOD \n Content-MD5 \n Content-Type \n Date \n CanonicalizedFCHeaders CanonicalizedResource
 *
 * CanonicalizedFCHeaders: every header whose lower-cased name starts with `x-fc-`, sorted, each
 * `name:value\n`. CanonicalizedResource: the URL path (`/2016-08-15/services/...`), plus, for
 * `/proxy/` paths only, `\n` and the sorted `key=value` query pairs joined by `\n`. Empty Content-MD5 /
 * Content-Type stay as empty lines.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

function headerValue(headers: http.IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

export function fcStringToSign(
  method: string,
  path: string,
  headers: http.IncomingHttpHeaders,
  query?: URLSearchParams,
): string {
  const fcHeaders = Object.keys(headers)
    .map((k) => k.toLowerCase())
    .filter((k) => k.startsWith('x-fc-'))
    .sort()
    .map((k) => `${k}:${headerValue(headers, k)}\n`)
    .join('');
  let str = `${method.toUpperCase()}\n${headerValue(headers, 'content-md5')}\n${headerValue(headers, 'content-type')}\n${headerValue(headers, 'date')}\n${fcHeaders}${path}`;
  if (query && /^\/[^/]+\/proxy\//.test(path)) {
    const pairs = [...query].map(([k, v]) => `${k}=${v}`).sort();
    str += `\n${pairs.join('\n')}`;
  }
  return str;
}

export function fcSign(stringToSign: string, secret: string): string {
  return createHmac('sha256', secret).update(stringToSign, 'utf8').digest('base64');
}

/** Parses `FC <akId>:<signature>`; undefined when malformed. */
export function parseAuthorization(
  header: string | undefined,
): { akId: string; signature: string } | undefined {
  const m = /^FC ([^:\s]+):(\S+)$/.exec(header ?? '');
  return m?.[1] && m[2] ? { akId: m[1], signature: m[2] } : undefined;
}

export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

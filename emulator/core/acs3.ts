/**
 * Verification of the `ACS3-HMAC-SHA256` request signature (Alibaba Cloud OpenAPI signature V3), which
 * the Tea/OpenAPI clients built on @alicloud/openapi-core send by default (`doRequest`; the RPC-style
 * HMAC-SHA1 V1 signature is used only with `signatureAlgorithm: 'v2'`). @alicloud/sts20150401 and
 * @alicloud/resourcemanager20200331 are such clients.
 *
 * From @alicloud/openapi-core `dist/utils.js` `getAuthorization`:
 *   CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload
 * CanonicalQuery: parameters sorted by name, `name=encode(value)` joined by `&` (encode = encodeURIComponent
 * plus `!'()*`); CanonicalHeaders: `host`, `content-type` and every `x-acs-*` header, lower-cased, sorted,
 * `name:trimmed value\n`; HashedPayload = hex SHA-256 of the body (also sent as `x-acs-content-sha256`).
 * StringToSign = `ACS3-HMAC-SHA256\n` + hex SHA-256(CanonicalRequest); signature = hex HMAC-SHA256(secret).
 * Authorization: `ACS3-HMAC-SHA256 Credential=<akId>,SignedHeaders=<a;b>,Signature=<hex>`. An STS key adds
 * `x-acs-security-token`. `x-acs-date` is `YYYY-MM-DDTHH:mm:ssZ` (Utils.getTimestamp).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Accounts } from './accounts.js';

export const ACS3 = 'ACS3-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60_000;

/** A POP error: code, HTTP status and message, as the JSON error body carries them. */
export class PopError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'PopError';
  }
}

export interface SignedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function headerText(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim();
}

export function acs3CanonicalRequest(req: SignedRequest, signedHeaders: string[]): string {
  const params = [...req.query].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = params.map(([k, v]) => `${k}=${encode(v)}`).join('&');
  const headers = signedHeaders.map((h) => `${h}:${headerText(req.headers, h)}\n`).join('');
  const payload = createHash('sha256').update(req.body).digest('hex');
  return [req.method.toUpperCase(), req.path, query, headers, signedHeaders.join(';'), payload].join('\n');
}

export function acs3Sign(canonicalRequest: string, secret: string): string {
  const digest = createHash('sha256').update(canonicalRequest).digest('hex');
  return createHmac('sha256', secret).update(`${ACS3}\n${digest}`).digest('hex');
}

function parseAuthorization(value: string): { akId: string; signed: string[]; signature: string } {
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]*),Signature=([0-9a-f]+)$/.exec(value);
  if (!m?.[1] || m[2] === undefined || !m[3]) {
    throw new PopError(
      'IncompleteSignature',
      400,
      'The request signature does not conform to Aliyun standards.',
    );
  }
  return { akId: m[1], signed: m[2].split(';').filter(Boolean), signature: m[3] };
}

/**
 * Checks the request's key, signature, STS token (present, matching, not expired) and `x-acs-date`;
 * returns the access key id or throws the PopError the gateway answers with.
 */
export function verifyAcs3(req: SignedRequest, accounts: Accounts, now: Date): string {
  const auth = parseAuthorization(headerText(req.headers, 'authorization'));
  const key = accounts.get(auth.akId);
  if (!key) throw new PopError('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.');
  const required = ['host', 'x-acs-date', 'x-acs-content-sha256'];
  if (!required.every((h) => auth.signed.includes(h))) {
    throw new PopError(
      'IncompleteSignature',
      400,
      'The request signature does not conform to Aliyun standards.',
    );
  }
  const expected = acs3Sign(acs3CanonicalRequest(req, auth.signed), key.accessKeySecret);
  const a = Buffer.from(expected);
  const b = Buffer.from(auth.signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new PopError(
      'SignatureDoesNotMatch',
      400,
      'Specified signature is not matched with our calculation.',
    );
  }
  if (key.securityToken !== undefined) {
    const token = headerText(req.headers, 'x-acs-security-token');
    if (!token)
      throw new PopError('MissingSecurityToken', 400, 'SecurityToken is mandatory for this action.');
    if (token !== key.securityToken) {
      throw new PopError(
        'InvalidSecurityToken.MismatchWithAccessKey',
        400,
        'Specified SecurityToken mismatch with the AccessKey.',
      );
    }
    if (accounts.expired(auth.akId)) {
      throw new PopError('InvalidSecurityToken.Expired', 400, 'Specified SecurityToken is expired.');
    }
  }
  const stamp = headerText(req.headers, 'x-acs-date');
  const at = Date.parse(stamp);
  if (Number.isNaN(at) || Math.abs(now.getTime() - at) > MAX_SKEW_MS) {
    throw new PopError('InvalidTimeStamp.Expired', 400, 'Specified time stamp or date value is expired.');
  }
  return auth.akId;
}

/**
 * Authentication of POP RPC requests (signature version 1.0), as the KMS service does it.
 *
 * StringToSign = METHOD + "&" + percentEncode("/") + "&" + percentEncode(canonicalized query), where the
 * canonicalized query is every parameter but `Signature`, sorted by name, each name and value
 * percent-encoded (RFC 3986: space %20, `*` %2A, `~` kept) and joined with `=` and `&`. The signature is
 * base64(HMAC-SHA1(secret + "&", StringToSign)). Source: KMS API reference "Signature"
 * (AlibabaCloudDocs/kms `intl.en-US/API Reference/Calling method/Signature.md`), checked against
 * `@alicloud/rpc-util` `getSignatureV1`, which @alicloud/kms20160120 uses (it sorts with the default
 * JS sort, signs query and form body together, and always sends SignatureMethod=HMAC-SHA1,
 * SignatureVersion=1.0, a fresh SignatureNonce and a `Timestamp` in `YYYY-MM-DDTHH:mm:ssZ`).
 *
 * The POP gateway rejects a Timestamp more than 15 minutes away from its clock and a SignatureNonce seen
 * within those 15 minutes (common POP error codes InvalidTimeStamp.Expired, SignatureNonceUsed).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Accounts } from '../core/accounts.js';
import { kmsErrors } from './errors.js';

export const MAX_SKEW_MS = 15 * 60_000;

/** RFC 3986 percent-encoding as POP wants it. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function rpcStringToSign(method: string, params: Record<string, string>): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

export function rpcSign(method: string, params: Record<string, string>, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(rpcStringToSign(method, params), 'utf8').digest('base64');
}

/** Remembers nonces for the skew window so a replayed request is refused. */
export class NonceCache {
  private readonly seen = new Map<string, number>();

  /** False when the nonce was already used within the window. */
  use(nonce: string, nowMs: number): boolean {
    for (const [n, at] of this.seen) {
      if (at > nowMs - MAX_SKEW_MS) break;
      this.seen.delete(n);
    }
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, nowMs);
    return true;
  }
}

function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks a request's credentials, signature, token, timestamp and nonce; returns the access key id or
 * throws the POP error a real gateway answers with.
 */
export function authenticate(
  method: string,
  params: Record<string, string>,
  accounts: Accounts,
  nonces: NonceCache,
  now: Date,
): string {
  const akId = params.AccessKeyId;
  if (!akId) throw kmsErrors.missingParameter('AccessKeyId');
  const key = accounts.get(akId);
  if (!key) throw kmsErrors.accessKeyNotFound();
  if ((params.SignatureMethod ?? 'HMAC-SHA1') !== 'HMAC-SHA1') throw kmsErrors.signatureMethod();
  const provided = params.Signature;
  const expected = rpcSign(method, params, key.accessKeySecret);
  if (!provided || !sameSignature(provided, expected)) {
    throw kmsErrors.incompleteSignature(rpcStringToSign(method, params));
  }
  if (key.securityToken !== undefined) {
    if (!params.SecurityToken) throw kmsErrors.missingToken();
    if (params.SecurityToken !== key.securityToken) throw kmsErrors.tokenMismatch();
    if (accounts.expired(akId)) throw kmsErrors.tokenExpired();
  }
  const stamp = params.Timestamp;
  if (!stamp) throw kmsErrors.missingTimestamp();
  const at = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(stamp) ? Date.parse(stamp) : Number.NaN;
  if (Number.isNaN(at)) throw kmsErrors.timestampFormat();
  if (Math.abs(now.getTime() - at) > MAX_SKEW_MS) throw kmsErrors.timestampExpired();
  if (params.SignatureNonce && !nonces.use(`${akId}\n${params.SignatureNonce}`, now.getTime())) {
    throw kmsErrors.nonceUsed();
  }
  return akId;
}

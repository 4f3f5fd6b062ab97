/**
 * Authentication of an OSS request: which access key signed it, whether its STS token is right, whether
 * its clock is within 15 minutes, and whether the V1 or V4 signature matches. Sets `req.accessKeyId`;
 * an unsigned request stays anonymous (empty id) and is refused later by authorization.
 */
import type { OssContext, OssRequest } from './context.js';
import { header, httpDate } from './context.js';
import { errors } from './errors.js';
import {
  parseV4Authorization,
  sameSignature,
  v1CanonicalResource,
  v1Signature,
  v1StringToSign,
  v4CanonicalRequest,
  v4Signature,
  v4StringToSign,
} from './signature.js';

const MAX_SKEW_MS = 15 * 60 * 1000;

/** `20240101T010203Z` -> Date. */
function parseIsoBasic(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

function checkSkew(ctx: OssContext, raw: string | undefined, parsed: Date | undefined): void {
  if (raw === undefined) throw errors.accessDenied('The request must contain a Date or x-oss-date header.');
  const now = ctx.now();
  if (!parsed || Number.isNaN(parsed.getTime()) || Math.abs(now.getTime() - parsed.getTime()) > MAX_SKEW_MS) {
    throw errors.requestTimeTooSkewed(raw, httpDate(now));
  }
}

/** The access key's secret, after the key and its STS token are checked. */
function secretFor(ctx: OssContext, accessKeyId: string, token: string | undefined): string {
  const key = ctx.accounts.get(accessKeyId);
  if (!key) throw errors.invalidAccessKeyId(accessKeyId);
  if (token === undefined) {
    // An STS key used without its token is unknown as a permanent key (OSS "InvalidAccessKeyId").
    if (key.securityToken !== undefined) throw errors.invalidAccessKeyId(accessKeyId);
  } else {
    // A token sent with a permanent key makes it an STS request for a key STS never issued (0002-00000002).
    if (key.securityToken === undefined) throw errors.invalidAccessKeyId(accessKeyId);
    if (key.securityToken !== token) throw errors.invalidSecurityToken();
    if (ctx.accounts.expired(accessKeyId)) throw errors.securityTokenExpired();
  }
  return key.accessKeySecret;
}

function verifyV1Header(ctx: OssContext, req: OssRequest, authorization: string): void {
  const m = /^OSS ([^:]+):(.+)$/.exec(authorization);
  if (!m?.[1] || !m[2])
    throw errors.invalidArgument('Authorization header is invalid.', 'Authorization', authorization);
  const [, accessKeyId, provided] = m as unknown as [string, string, string];
  const secret = secretFor(ctx, accessKeyId, header(req, 'x-oss-security-token'));
  // ali-oss signs `x-oss-date` in the Date slot and sends no `Date`; other clients send `Date`.
  const date = header(req, 'x-oss-date') ?? header(req, 'date');
  checkSkew(ctx, date, date === undefined ? undefined : new Date(date));
  checkV1(req, { accessKeyId, secret, provided }, date ?? '');
}

/**
 * The V1 signature check both forms share: the string to sign with `dateSlot` (the `Date` header or the
 * query's `Expires`), compared in constant time; the request is then that access key's.
 */
function checkV1(
  req: OssRequest,
  key: { accessKeyId: string; secret: string; provided: string },
  dateSlot: string,
): void {
  const resource = v1CanonicalResource(req.bucket, req.key, req.query);
  const stringToSign = v1StringToSign(req.method, req.headers, dateSlot, resource);
  if (!sameSignature(v1Signature(key.secret, stringToSign), key.provided)) {
    throw errors.signatureDoesNotMatch({
      StringToSign: stringToSign,
      SignatureProvided: key.provided,
      OSSAccessKeyId: key.accessKeyId,
    });
  }
  req.accessKeyId = key.accessKeyId;
}

function verifyV1Query(ctx: OssContext, req: OssRequest): void {
  const accessKeyId = req.query.get('OSSAccessKeyId') ?? '';
  const provided = req.query.get('Signature') ?? '';
  const expires = req.query.get('Expires') ?? '';
  const secret = secretFor(ctx, accessKeyId, req.query.get('security-token') ?? undefined);
  const now = ctx.now();
  if (!/^\d+$/.test(expires) || Number(expires) * 1000 < now.getTime()) {
    throw errors.requestExpired(expires, now.toISOString());
  }
  checkV1(req, { accessKeyId, secret, provided }, expires);
}

function verifyV4Header(ctx: OssContext, req: OssRequest, authorization: string): void {
  const auth = parseV4Authorization(authorization);
  if (auth?.product !== 'oss') {
    throw errors.invalidArgument('Authorization header is invalid.', 'Authorization', authorization);
  }
  const secret = secretFor(ctx, auth.accessKeyId, header(req, 'x-oss-security-token'));
  const datetime = header(req, 'x-oss-date');
  checkSkew(ctx, datetime, datetime === undefined ? undefined : parseIsoBasic(datetime));
  const canonical = v4CanonicalRequest(
    req.method,
    req.bucket,
    req.key,
    req.query,
    req.headers,
    auth.additionalHeaders,
  );
  const scope = `${auth.date}/${auth.region}/${auth.product}/aliyun_v4_request`;
  const stringToSign = v4StringToSign(datetime ?? '', scope, canonical);
  const expected = v4Signature(secret, auth.date, auth.region, auth.product, stringToSign);
  if (!sameSignature(expected, auth.signature) || !datetime?.startsWith(auth.date)) {
    throw errors.signatureDoesNotMatch({
      CanonicalRequest: canonical,
      StringToSign: stringToSign,
      SignatureProvided: auth.signature,
      OSSAccessKeyId: auth.accessKeyId,
    });
  }
  req.accessKeyId = auth.accessKeyId;
}

/** Verifies the request's credentials; leaves `req.accessKeyId` empty for an anonymous request. */
export function authenticate(ctx: OssContext, req: OssRequest): void {
  const authorization = header(req, 'authorization');
  if (authorization !== undefined) {
    if (authorization.startsWith('OSS4-HMAC-SHA256')) verifyV4Header(ctx, req, authorization);
    else if (authorization.startsWith('OSS ')) verifyV1Header(ctx, req, authorization);
    else throw errors.invalidArgument('Authorization header is invalid.', 'Authorization', authorization);
    return;
  }
  if (req.query.has('OSSAccessKeyId') && req.query.has('Signature')) {
    verifyV1Query(ctx, req);
    return;
  }
  if (req.query.has('x-oss-signature')) throw errors.notImplemented('V4 presigned URLs');
  req.accessKeyId = '';
}

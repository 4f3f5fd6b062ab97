/**
 * Conditional requests: If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since of GetObject
 * and HeadObject, and their `x-oss-copy-source-if-*` forms on CopyObject and UploadPartCopy.
 *
 * Dates compare at HTTP-date resolution (one second), as OSS does: a date equal to Last-Modified means
 * "not modified since" (ali-oss `test/node/object.test.js`: If-Modified-Since = modified time -> 304,
 * If-Unmodified-Since = modified time -> 200, for get(), head() and copy()). A failed If-Match or
 * If-Unmodified-Since is 412 PreconditionFailed whose `Condition` names the HTTP header (`If-Match`,
 * also for the copy-source form: ali-oss expects "(condition: If-Match)" from copy()); a matching
 * If-None-Match or a not-modified If-Modified-Since is 304. An unparsable date is ignored (RFC 9110).
 */
import { errors } from './errors.js';

export interface Conditional {
  etag: string;
  lastModified: Date;
}

/** Reads one condition header by its HTTP name (`if-match`...), from whichever header form applies. */
export type ConditionHeader = (
  name: 'if-match' | 'if-none-match' | 'if-modified-since' | 'if-unmodified-since',
) => string | undefined;

const unquote = (etag: string) => etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');

/** The whole seconds of a date, as an HTTP-date carries it. */
const seconds = (ms: number) => Math.floor(ms / 1000);

function parseDate(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : seconds(ms);
}

/**
 * Evaluates the conditions against an object: throws 412 for a failed If-Match / If-Unmodified-Since,
 * answers `true` when the request must be answered 304 Not Modified, `false` to go on.
 */
export function notModified(get: ConditionHeader, obj: Conditional): boolean {
  const modified = seconds(obj.lastModified.getTime());
  const ifMatch = get('if-match');
  if (ifMatch !== undefined && unquote(ifMatch) !== unquote(obj.etag)) {
    throw errors.preconditionFailed('If-Match');
  }
  const unmodifiedSince = parseDate(get('if-unmodified-since'));
  if (unmodifiedSince !== undefined && modified > unmodifiedSince) {
    throw errors.preconditionFailed('If-Unmodified-Since');
  }
  const ifNone = get('if-none-match');
  if (ifNone !== undefined && unquote(ifNone) === unquote(obj.etag)) return true;
  const modifiedSince = parseDate(get('if-modified-since'));
  return modifiedSince !== undefined && modified <= modifiedSince;
}

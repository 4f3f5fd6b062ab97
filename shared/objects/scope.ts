/**
 * Which objects the guard looks at, pure: the policy's `objects` section (buckets, include, exclude), and
 * the keys to try for an event key. A policy without an `objects` section gets the section's defaults:
 * every bucket and key, alert on anything without encryption.
 */
import { globMatch } from '../policy/glob.js';
import { type ObjectsPolicy, objectsSchema, type Policy } from '../policy/schema.js';

/** The `objects` section with its defaults filled in. */
export function objectsPolicy(policy: Policy): ObjectsPolicy {
  return policy.objects ?? objectsSchema.parse({});
}

/** Why the object is out of scope, or `undefined` when the guard must check it. */
export function outOfScope(objects: ObjectsPolicy, bucket: string, key: string): string | undefined {
  if (!globMatch(objects.buckets, bucket)) {
    return `bucket "${bucket}" is outside the policy (objects.buckets: ${objects.buckets.join(', ')})`;
  }
  if (!globMatch(objects.include, key)) {
    return `key is not under objects.include (${objects.include.join(', ')})`;
  }
  const excluded = objects.exclude.find((p) => globMatch([p], key));
  if (excluded !== undefined) return `key is excluded by objects.exclude "${excluded}"`;
  return undefined;
}

/**
 * Why `key` cannot name an OSS object, or `undefined`. OSS object names are 1 to 1023 bytes of UTF-8 and
 * cannot start with `/` or `\\` (OSS "Object naming conventions", error 0016-00000801 "Object名称不符合规范").
 * A key like `/` or `//` is a bad event, never a retryable failure.
 */
export function invalidObjectKey(key: string): string | undefined {
  if (key === '') return 'is empty';
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(key))
    return 'is not valid Unicode (a lone surrogate)';
  const bytes = Buffer.byteLength(key);
  if (bytes > 1023) return `is ${bytes} bytes; OSS keys are at most 1023`;
  if (key.startsWith('/') || key.startsWith('\\'))
    return 'starts with "/" or "\\", which no OSS object name can';
  return undefined;
}

function tryDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    // A lone `%` (a literal percent sign in the key) is not an escape: there is no decoded form.
    return undefined;
  }
}

/**
 * The keys to look an object up under, in order: the key as the event gave it, then its URL-decoded
 * forms (form encoding, where `+` is a space, as S3-style notifications write keys; then plain percent
 * decoding, where `+` stays): one decoding, never two. Only keys that could be encoded (`%` or `+`) get
 * alternatives. The guard checks scope again on whichever of them it acts on.
 */
export function candidateKeys(key: string): string[] {
  const out = [key];
  if (!/[%+]/.test(key)) return out;
  for (const decoded of [tryDecode(key.replace(/\+/g, ' ')), tryDecode(key)]) {
    // A decoded form that no object could have (`%2F` -> `/`) is not tried.
    if (decoded !== undefined && invalidObjectKey(decoded) === undefined && !out.includes(decoded))
      out.push(decoded);
  }
  return out;
}

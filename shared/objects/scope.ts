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
 * decoding, where `+` stays). Only keys that could be encoded (`%` or `+`) get alternatives.
 */
export function candidateKeys(key: string): string[] {
  const out = [key];
  if (!/[%+]/.test(key)) return out;
  for (const decoded of [tryDecode(key.replace(/\+/g, ' ')), tryDecode(key)]) {
    if (decoded !== undefined && decoded !== '' && !out.includes(decoded)) out.push(decoded);
  }
  return out;
}

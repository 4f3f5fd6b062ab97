/**
 * The tag filters of ListBuckets, as the SDKs send them: `tag-key` / `tag-value` query parameters
 * (aliyun-oss-python-sdk `tests/test_bucket.py` `test_list_bucket_with_tagging`: one bucket of two
 * matches) and the `tagging` subresource `"k1":"v1","k2":"v2"` (ali-oss `test/node/bucket.test.js`
 * "should list buckets by subres": the matching bucket comes back with its tags). A bucket matches when
 * it has every tag named; a `tag-key` without `tag-value` matches any value. Inferred: how OSS combines
 * `tagging` with `tag-key` (here: both must hold) and that the listing carries tags only when filtered.
 */
import type { BucketRecord } from './state.js';
import type { XmlElement } from './xml.js';

export type BucketFilter = (bucket: BucketRecord) => boolean;

/** `"a":"1","b":"2"` -> `{ a: '1', b: '2' }` (the quoting ali-oss `listBuckets` subres uses). */
export function parseTaggingFilter(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of raw.matchAll(/"((?:[^"\\]|\\.)*)":"((?:[^"\\]|\\.)*)"/g)) out[m[1] ?? ''] = m[2] ?? '';
  return out;
}

/** The filter a ListBuckets query asks for, or undefined when it names no tag. */
export function bucketTagFilter(query: URLSearchParams): BucketFilter | undefined {
  const key = query.get('tag-key');
  const value = query.get('tag-value');
  const tagging = query.get('tagging');
  const all = tagging ? parseTaggingFilter(tagging) : {};
  if (key === null && Object.keys(all).length === 0) return undefined;
  return (b) => {
    if (key !== null && (!(key in b.tags) || (value !== null && b.tags[key] !== value))) return false;
    return Object.entries(all).every(([k, v]) => b.tags[k] === v);
  };
}

/** `<Tagging><TagSet><Tag>...` of a listed bucket (what ali-oss `formatTag` reads). */
export function listedTags(tags: Record<string, string>): XmlElement {
  return { TagSet: { Tag: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } };
}

/**
 * Listing one bucket, for the OSS gateway: ListObjects (v1: prefix, marker, max-keys, delimiter) page by
 * page, common prefixes and key samples, and GetBucketVersioning (the create-only files of a run need an
 * unversioned bucket), through the one call core (oss-core.ts).
 *
 * Keys are asked for with `encoding-type=url` and decoded here: OSS keys may hold characters that XML 1.0
 * cannot carry (control characters), and the URL form is how OSS returns those safely.
 */
import type { OssGateway } from './oss.js';
import { coreOf, type OssCore } from './oss-core.js';
import type { ObjectLocation } from './oss-objects.js';
import type { RetryOptions } from './retry.js';

/** One listed object. */
export interface ListedObject {
  key: string;
  /** As OSS lists it, quoted. */
  etag: string;
  size: number;
  lastModified?: string;
}

/** One page of ListObjects, keys decoded. */
export interface ListPage {
  objects: ListedObject[];
  /** Common prefixes (with a delimiter). */
  prefixes: string[];
  /** Where the next page starts; absent on the last page. */
  nextMarker?: string;
}

/** ListObjects parameters (v1). */
export interface ListQuery {
  prefix?: string;
  marker?: string;
  delimiter?: string;
  /** 1..1000 (default 1000). */
  maxKeys?: number;
}

/** ali-oss 6.x `list` (lib/object.js): `Contents` mapped to `objects`, `CommonPrefixes` to `prefixes`. */
interface ListClient {
  getBucketVersioning(bucket: string): Promise<{ versionStatus?: string }>;
  list(
    query: Record<string, string | number>,
    options: object,
  ): Promise<{
    objects?: Array<{ name: string; etag: string; size: number; lastModified?: string }> | null;
    prefixes?: string[] | null;
    nextMarker?: string | null;
    isTruncated?: boolean;
  }>;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // Not an escape sequence after all: keep it as OSS sent it rather than lose the key.
    return s;
  }
}

/** ListObjects pages, prefixes and key samples of one bucket, and its versioning status. */
export class ObjectLister {
  private readonly core: OssCore;

  constructor(
    gateway: OssGateway,
    private readonly retry?: RetryOptions,
  ) {
    this.core = coreOf(gateway);
  }

  /** One page of ListObjects. */
  async page(loc: ObjectLocation, q: ListQuery): Promise<ListPage> {
    const query: Record<string, string | number> = {
      'max-keys': q.maxKeys ?? 1000,
      'encoding-type': 'url',
    };
    if (q.prefix) query.prefix = q.prefix;
    if (q.marker) query.marker = q.marker;
    if (q.delimiter) query.delimiter = q.delimiter;
    const client = this.core.client(loc.region, loc.bucket) as unknown as ListClient;
    const subject = `Bucket "${loc.bucket}" (${loc.region}): ListObjects (prefix "${q.prefix ?? ''}", marker "${q.marker ?? ''}")`;
    const res = await this.core.call(subject, () => client.list(query, {}), this.retry);
    const objects = (res.objects ?? []).map((o) => ({
      key: decode(o.name),
      etag: o.etag,
      size: Number(o.size),
      ...(o.lastModified ? { lastModified: o.lastModified } : {}),
    }));
    const prefixes = (res.prefixes ?? []).map(decode);
    const last = objects.at(-1)?.key ?? '';
    const lastPrefix = prefixes.at(-1) ?? '';
    // OSS sends NextMarker when truncated; the greater of the last key and last prefix is the same place.
    const next = res.nextMarker ? decode(res.nextMarker) : last > lastPrefix ? last : lastPrefix;
    return { objects, prefixes, ...(res.isTruncated && next ? { nextMarker: next } : {}) };
  }

  /** Every common prefix directly under `prefix` (paging), at most `limit`; `truncated` when cut. */
  async prefixes(
    loc: ObjectLocation,
    prefix: string,
    limit: number,
  ): Promise<{ prefixes: string[]; truncated: boolean }> {
    const out: string[] = [];
    let marker: string | undefined;
    do {
      const page = await this.page(loc, { prefix, marker, delimiter: '/' });
      out.push(...page.prefixes);
      marker = page.nextMarker;
      if (out.length >= limit) return { prefixes: out.slice(0, limit), truncated: true };
    } while (marker);
    return { prefixes: out, truncated: false };
  }

  /** The first `limit` keys under `prefix` (paging); `truncated` when there are more. */
  async keys(
    loc: ObjectLocation,
    prefix: string,
    limit: number,
  ): Promise<{ keys: string[]; truncated: boolean }> {
    const out: string[] = [];
    let marker: string | undefined;
    do {
      const page = await this.page(loc, { prefix, marker, maxKeys: Math.min(1000, limit - out.length) });
      out.push(...page.objects.map((o) => o.key));
      marker = page.nextMarker;
      if (out.length >= limit) return { keys: out, truncated: marker !== undefined };
    } while (marker);
    return { keys: out, truncated: false };
  }

  /** The bucket's versioning status (`Enabled`, `Suspended`), `undefined` when it never had versioning. */
  async versioning(loc: ObjectLocation): Promise<string | undefined> {
    const client = this.core.client(loc.region) as unknown as ListClient;
    const res = await this.core.call(
      `Bucket "${loc.bucket}" (${loc.region}): GetBucketVersioning`,
      () => client.getBucketVersioning(loc.bucket),
      this.retry,
    );
    return res.versionStatus?.trim() || undefined;
  }
}

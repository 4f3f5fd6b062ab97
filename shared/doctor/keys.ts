/** The KMS keys a policy names (pure): each requirement's `kmsKeyId`, with the regions its rule selects. */
import type { BucketLocation } from '../cloud/oss.js';
import { globMatch } from '../policy/glob.js';
import type { Policy } from '../policy/schema.js';

export interface NamedKey {
  ref: string;
  /** Where in the policy: `defaults.sse`, `rules[prod].sse`, `objects.sse`. */
  from: string;
  /** The rule's `regions` (or the ARN's region); undefined: every region with buckets. */
  regions?: string[];
  /** The rule's bucket globs, when it has some. */
  buckets?: string[];
}

/**
 * The regions where the key must exist: those of the listed buckets its rule can select (by name and
 * region; tags are not read here, so a tag rule counts every bucket its names allow).
 */
export function keyRegions(key: NamedKey, buckets: BucketLocation[], home: string): string[] {
  const selected = buckets.filter(
    (b) =>
      (!key.buckets || globMatch(key.buckets, b.name)) && (!key.regions || key.regions.includes(b.region)),
  );
  const regions = [...new Set(selected.map((b) => b.region))].sort();
  if (regions.length > 0) return regions;
  return key.regions ?? [home];
}

export function namedKeys(policy: Policy): NamedKey[] {
  const out: NamedKey[] = [];
  const push = (ref: string | undefined, from: string, regions?: string[], buckets?: string[]) => {
    if (!ref) return;
    const arnRegion = /^acs:kms:([^:]+):/.exec(ref)?.[1];
    const r = arnRegion ? [arnRegion] : regions;
    out.push({ ref, from, ...(r ? { regions: r } : {}), ...(buckets ? { buckets } : {}) });
  };
  push(policy.defaults.sse.kmsKeyId, 'defaults.sse');
  for (const rule of policy.rules) {
    if (rule.exempt) continue;
    push(rule.sse?.kmsKeyId, `rules[${rule.id}].sse`, rule.regions, rule.buckets);
  }
  push(policy.objects?.sse.kmsKeyId, 'objects.sse', undefined, policy.objects?.buckets);
  return out;
}

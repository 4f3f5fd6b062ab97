/**
 * Encryption strength and the "meets" relation, pure. Levels: none < sse-oss (AES256, SM4) < kms (KMS
 * with the OSS-managed key) < kms-cmk (KMS with a customer CMK). `KMSDataEncryption: SM4` does not change
 * the level; it is a separate requirement.
 */
import type { SseConfig } from '../model.js';
import { judgedConfig, type KeyView, keyStrengthUnmet } from './keys.js';
import type { Level, Requirement } from './schema.js';

export const LEVEL_RANK: Record<Level | 'none', number> = { none: 0, 'sse-oss': 1, kms: 2, 'kms-cmk': 3 };

export function levelOf(cfg: SseConfig | null): Level | 'none' {
  if (!cfg) return 'none';
  if (cfg.algorithm === 'KMS') return cfg.kmsKeyId ? 'kms-cmk' : 'kms';
  return 'sse-oss';
}

/** Turns a key reference into a key id where it can: an ARN's trailing id, or what `resolve` knows. */
export type KeyResolver = (ref: string) => string | undefined;

export function canonicalKey(ref: string, resolve?: KeyResolver): string {
  const known = resolve?.(ref);
  if (known) return known;
  const arn = /^acs:kms:[^:]*:[^:]*:key\/(.+)$/.exec(ref);
  return arn?.[1] ?? ref;
}

export function sameKey(a: string, b: string, resolve?: KeyResolver): boolean {
  return canonicalKey(a, resolve) === canonicalKey(b, resolve);
}

/** What remediation applies to a bucket with no encryption at all to meet `req`. */
export function baseConfig(req: Requirement): SseConfig {
  const withKms = (): SseConfig => ({
    algorithm: 'KMS',
    ...(req.kmsKeyId ? { kmsKeyId: req.kmsKeyId } : {}),
    ...(req.kmsDataEncryption ? { kmsDataEncryption: req.kmsDataEncryption } : {}),
  });
  if (req.algorithm === 'KMS') return withKms();
  if (req.algorithm) return { algorithm: req.algorithm };
  if (req.minimum === 'sse-oss') return { algorithm: 'AES256' };
  return withKms();
}

/** The level a requirement asks for. */
export function requiredLevel(req: Requirement): Level {
  if (req.minimum) return req.minimum;
  if (req.algorithm === 'KMS') return req.kmsKeyId ? 'kms-cmk' : 'kms';
  return 'sse-oss';
}

/** Human text of a requirement: `at least kms-cmk (alias/prod)`, `exactly AES256`. */
export function describeRequirement(req: Requirement, match: 'at-least' | 'exact'): string {
  const head = req.minimum ? `${match === 'exact' ? 'exactly' : 'at least'} ${req.minimum}` : req.algorithm;
  const parts = [match === 'exact' && !req.minimum ? `exactly ${head}` : head];
  if (req.kmsKeyId) parts.push(`key ${req.kmsKeyId}`);
  if (req.kmsDataEncryption) parts.push(`data ${req.kmsDataEncryption}`);
  if (req.keyProtection) parts.push('HSM-protected key');
  if (req.keyOrigin) parts.push('imported (EXTERNAL) key material');
  return parts.join(', ');
}

export function describeConfig(cfg: SseConfig | null): string {
  if (!cfg) return 'none';
  const parts: string[] = [cfg.algorithm];
  if (cfg.kmsKeyId) parts.push(`key ${cfg.kmsKeyId}`);
  if (cfg.kmsDataEncryption) parts.push(`data ${cfg.kmsDataEncryption}`);
  return parts.join(', ');
}

/**
 * Whether `observed` meets `req`. Returns `undefined` when it does, else the reason it does not.
 * `exact`: the same algorithm, key and data encryption as the requirement asks (for a minimum: the same level).
 * `at-least`: as strong or stronger; a named CMK must be that CMK; SM4 (algorithm or data encryption) must be SM4.
 * With `keys` (what DescribeKey said about the keys), the OSS service key counts as the OSS-managed key
 * (level `kms`), and `keyProtection` / `keyOrigin` are checked against the CMK; without it, the
 * configuration text alone is judged and key strength is not (the caller checks it where it reads keys).
 */
export function unmetReason(
  req: Requirement,
  match: 'at-least' | 'exact',
  observed: SseConfig | null,
  resolve?: KeyResolver,
  keys?: KeyView,
): string | undefined {
  const judged = judgedConfig(observed, keys);
  const unmet = levelUnmet(req, match, judged, resolve);
  if (unmet !== undefined || !keys || !judged?.kmsKeyId) return unmet;
  const look = keys(judged.kmsKeyId);
  return keyStrengthUnmet(req, judged.kmsKeyId, look?.found ? look.facts : undefined);
}

function levelUnmet(
  req: Requirement,
  match: 'at-least' | 'exact',
  observed: SseConfig | null,
  resolve?: KeyResolver,
): string | undefined {
  if (!observed) return 'no default encryption';
  const have = levelOf(observed);
  const need = requiredLevel(req);
  if (req.kmsKeyId && !req.minimum) {
    if (observed.algorithm !== 'KMS' || !observed.kmsKeyId) {
      return `uses ${describeConfig(observed)}; expected KMS with key ${req.kmsKeyId}`;
    }
    if (!sameKey(observed.kmsKeyId, req.kmsKeyId, resolve)) {
      return `uses KMS key ${observed.kmsKeyId}; expected key ${req.kmsKeyId}`;
    }
  }
  const wantsSm4Data = req.kmsDataEncryption === 'SM4';
  if (match === 'exact') {
    if (req.minimum) {
      if (have !== need) return `is ${have}; expected exactly ${need}`;
    } else if (observed.algorithm !== req.algorithm) {
      return `uses ${observed.algorithm}; expected exactly ${req.algorithm}`;
    } else if (req.algorithm === 'KMS' && !req.kmsKeyId && observed.kmsKeyId) {
      return `uses CMK ${observed.kmsKeyId}; expected exactly the OSS-managed KMS key`;
    }
    if (wantsSm4Data !== (observed.kmsDataEncryption === 'SM4')) {
      return wantsSm4Data
        ? 'KMS data encryption is not SM4; expected SM4'
        : 'uses SM4 data encryption; expected none';
    }
    return undefined;
  }
  if (LEVEL_RANK[have] < LEVEL_RANK[need])
    return `is ${have} (${describeConfig(observed)}); expected at least ${need}`;
  if (req.algorithm === 'SM4' && observed.algorithm !== 'SM4' && observed.kmsDataEncryption !== 'SM4') {
    return `uses ${describeConfig(observed)}; expected SM4 (or KMS with SM4 data encryption)`;
  }
  if (wantsSm4Data && observed.kmsDataEncryption !== 'SM4') {
    return `uses ${describeConfig(observed)}; expected KMS data encryption SM4`;
  }
  return undefined;
}

/**
 * The configuration remediation should apply so that `observed` meets `req`, never weaker than
 * `observed` under `at-least`: a bucket that already uses a CMK keeps it when the requirement names none,
 * and a KMS bucket asked for SM4 gets KMS with SM4 data encryption rather than plain SM4.
 */
export function remediationTarget(
  req: Requirement,
  match: 'at-least' | 'exact',
  observed: SseConfig | null,
): SseConfig {
  const base = baseConfig(req);
  if (match === 'exact' || !observed || observed.algorithm !== 'KMS') return base;
  // The bucket uses KMS already: strengthen it in place instead of replacing it.
  const wantsSm4 =
    req.algorithm === 'SM4' || base.kmsDataEncryption === 'SM4' || observed.kmsDataEncryption === 'SM4';
  const key = req.kmsKeyId ?? observed.kmsKeyId;
  return {
    algorithm: 'KMS',
    ...(key ? { kmsKeyId: key } : {}),
    ...(wantsSm4 ? { kmsDataEncryption: 'SM4' as const } : {}),
  };
}

/** Whether applying `to` over `from` lowers the level. */
export function isWeaker(to: SseConfig, from: SseConfig | null): boolean {
  return LEVEL_RANK[levelOf(to)] < LEVEL_RANK[levelOf(from)];
}

/** Whether two configurations are the same (CMKs compared by resolved id). */
export function sameConfig(a: SseConfig | null, b: SseConfig | null, resolve?: KeyResolver): boolean {
  if (!a || !b) return a === b;
  if (a.algorithm !== b.algorithm) return false;
  if ((a.kmsDataEncryption ?? null) !== (b.kmsDataEncryption ?? null)) return false;
  if (!a.kmsKeyId || !b.kmsKeyId) return !a.kmsKeyId && !b.kmsKeyId;
  return sameKey(a.kmsKeyId, b.kmsKeyId, resolve);
}

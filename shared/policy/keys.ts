/**
 * What a verdict needs to know about the KMS key behind a configuration, pure: is it the OSS-managed
 * service key (then the level is `kms`, not `kms-cmk`), is it usable by the bucket (Enabled, in the
 * bucket's region), and is it as strong as the requirement asks (`keyProtection: hsm`, `keyOrigin:
 * external`). The facts come from DescribeKey (the key inspector); this module only judges them.
 */
import type { SseConfig } from '../model.js';
import type { Requirement } from './schema.js';

/** The facts DescribeKey gives about a key (a subset of the audit's `KeyInfo`). */
export interface KeyFacts {
  keyId: string;
  /** Enabled | Disabled | PendingDeletion | PendingImport ... */
  state: string;
  /** The key's region, from its ARN. */
  region: string;
  /** Managed by a cloud service (the OSS service key, alias `alias/acs/oss`), not by the customer. */
  serviceKey?: boolean;
  /** Aliyun_KMS | EXTERNAL */
  origin?: string;
  /** SOFTWARE | HSM */
  protectionLevel?: string;
}

/** A key as looked up in one region: found with its facts, or not found there (with the reason). */
export type KeyLookup = { found: true; facts: KeyFacts } | { found: false; reason: string };

/** Looks up a key reference in the region being judged; `undefined` when it was not looked up. */
export type KeyView = (ref: string) => KeyLookup | undefined;

/** The region named by a key ARN (`acs:kms:<region>:...`), if the reference is one. */
export function arnRegion(ref: string): string | undefined {
  return /^acs:kms:([^:]+):/.exec(ref)?.[1];
}

/** Why a key not found in `region` is not there: another region's ARN, or missing. */
export function notFoundReason(ref: string, region: string): string {
  const other = arnRegion(ref);
  if (other && other !== region) {
    return `KMS key "${ref}" is in region ${other}; expected the bucket's region ${region}`;
  }
  return `KMS key "${ref}" was not found in region ${region}`;
}

/** Why a found key cannot be used by buckets of `region`; `undefined` when it can. */
export function keyProblem(ref: string, facts: KeyFacts, region: string): string | undefined {
  if (facts.region !== region) {
    return `KMS key "${ref}" is in region ${facts.region}; expected the bucket's region ${region}`;
  }
  if (facts.state !== 'Enabled') {
    const id = facts.keyId === ref ? '' : ` (${facts.keyId})`;
    return `KMS key "${ref}"${id} is ${facts.state}; expected Enabled`;
  }
  return undefined;
}

/** Whether a requirement asks about the key's strength (then its facts must be read). */
export function asksKeyStrength(req: Requirement): boolean {
  return req.keyProtection !== undefined || req.keyOrigin !== undefined;
}

/** Why a key is weaker than the requirement's `keyProtection` / `keyOrigin`; `undefined` when it is not. */
export function keyStrengthUnmet(
  req: Requirement,
  ref: string,
  facts: KeyFacts | undefined,
): string | undefined {
  if (!asksKeyStrength(req)) return undefined;
  if (!facts) return `the protection and origin of KMS key "${ref}" were not read`;
  if (req.keyProtection === 'hsm' && facts.protectionLevel !== 'HSM') {
    return `KMS key "${ref}" has protection level ${facts.protectionLevel ?? 'unknown'}; expected HSM`;
  }
  if (req.keyOrigin === 'external' && facts.origin !== 'EXTERNAL') {
    return `KMS key "${ref}" has key material origin ${facts.origin ?? 'unknown'}; expected EXTERNAL (imported)`;
  }
  return undefined;
}

/**
 * The configuration as the level ladder reads it: a KMS configuration naming the OSS service key is the
 * OSS-managed key (level `kms`), whatever id OSS reports for it.
 */
export function judgedConfig(observed: SseConfig | null, keys?: KeyView): SseConfig | null {
  if (observed?.algorithm !== 'KMS' || !observed.kmsKeyId || !keys) return observed;
  const look = keys(observed.kmsKeyId);
  if (!look?.found || !look.facts.serviceKey) return observed;
  return observed.kmsDataEncryption
    ? { algorithm: 'KMS', kmsDataEncryption: observed.kmsDataEncryption }
    : { algorithm: 'KMS' };
}

/** The facts a finding reports about a key: `keyState`, `keyOrigin`, `keyProtection`. */
export function reportedKeyFacts(look: KeyLookup | undefined): {
  keyState?: string;
  keyOrigin?: string;
  keyProtection?: string;
} {
  if (!look) return {};
  if (!look.found) return { keyState: 'NotFound' };
  const f = look.facts;
  return {
    keyState: f.state,
    ...(f.origin ? { keyOrigin: f.origin } : {}),
    ...(f.protectionLevel ? { keyProtection: f.protectionLevel } : {}),
  };
}

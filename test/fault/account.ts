/**
 * The account the fault-tolerance suite audits: buckets spread over four regions in a fixed mix of rules
 * (production on a CMK by alias, exempt legacy buckets, report-only logs, SM4 finance buckets, a rule whose
 * CMK is disabled, the rest under the defaults) and of current encryption. Seeded identically into any
 * world, with fixed key ids, so two worlds can be compared bucket by bucket.
 */
import type { World } from '../helpers/world.js';

export const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1'] as const;

const PREFIXES = ['prod', 'legacy', 'logs', 'fin', 'dis', 'app', 'web', 'data', 'tmp', 'misc'] as const;

/** The fixed CMK id of a region (`prod`) and its disabled twin (`dis`). */
export function keyId(kind: 'prod' | 'dis', regionIndex: number): string {
  return `${kind === 'prod' ? '0b5c3e1a' : '9e8d7c6b'}-7d2f-4a8e-9c61-00000000000${regionIndex}`;
}

export function bucketNameOf(i: number): string {
  return `${PREFIXES[i % PREFIXES.length]}-${String(i).padStart(5, '0')}`;
}

/** Every bucket of the account, in creation order. */
export function bucketNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => bucketNameOf(i));
}

export const FAULT_POLICY = `version: 1
defaults: { sse: { minimum: sse-oss }, remediate: true }
rules:
  - { id: prod-cmk, buckets: ["prod-*"], sse: { algorithm: KMS, kmsKeyId: alias/prod-oss } }
  - id: legacy
    buckets: ["legacy-*"]
    exempt: { reason: "SEC-42: migrating off" }
  - { id: logs-report-only, buckets: ["logs-*"], sse: { minimum: kms }, remediate: false }
  - { id: finance-sm4, buckets: ["fin-*"], sse: { algorithm: SM4 } }
  - { id: disabled-key, buckets: ["dis-*"], sse: { algorithm: KMS, kmsKeyId: alias/retired } }
limits: { maxRemediationsPerRun: 100000, concurrency: 32 }
`;

/** Creates the keys and `count` buckets in `world`'s emulators. */
export function seedAccount(world: World, count: number): void {
  const kms = world.emu.kms.state;
  REGIONS.forEach((region, r) => {
    kms.createKey({ region, keyId: keyId('prod', r) });
    kms.createAlias('alias/prod-oss', keyId('prod', r), region);
    kms.createKey({ region, keyId: keyId('dis', r) });
    kms.createAlias('alias/retired', keyId('dis', r), region);
    kms.disableKey(keyId('dis', r), region);
  });
  for (let i = 0; i < count; i += 1) {
    const r = Math.floor(i / PREFIXES.length) % REGIONS.length;
    const state = Math.floor(i / (PREFIXES.length * REGIONS.length)) % 4;
    const encryption =
      state === 1
        ? { algorithm: 'AES256' as const }
        : state === 2
          ? { algorithm: 'KMS' as const }
          : state === 3
            ? { algorithm: 'SM4' as const }
            : null;
    world.emu.oss.state.createBucket(bucketNameOf(i), REGIONS[r] ?? 'cn-hangzhou', { encryption });
  }
}

/**
 * One policy, one verdict: the buckets that tf-emulator-twins.plan.json plans are created in the OSS
 * emulator with the real ali-oss client (PutBucket, PutBucketEncryption, PutBucketTags), then audited by
 * the audit's own code path (runAudit over the real gateways, KMS alias and id resolution included),
 * and the plan is checked with `iac check`'s code path. Every bucket gets the same status and rule.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../shared/audit/run.js';
import { ossClient } from '../helpers/oss-test-client.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';
import { check, fixture } from './helpers.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const KEY_ID = 'key-hzz6a3f2b1c0d9e8f7a6b5';
const POLICY = `version: 1
defaults: { sse: { minimum: sse-oss }, remediate: false }
rules:
  - id: prod-cmk
    buckets: ["acme-prod-*"]
    tags: { env: prod }
    sse: { algorithm: KMS, kmsKeyId: "${KEY_ID}" }
  - id: legacy
    buckets: ["legacy-*"]
    exempt: { reason: "SEC-42: migrating off by March" }
`;

/** The same buckets as the plan, as PutBucketEncryption / PutBucketTags would leave them after apply. */
const TWINS: Array<{
  name: string;
  sse?: { SSEAlgorithm: string; KMSMasterKeyID?: string };
  tags?: Record<string, string>;
}> = [
  {
    name: 'acme-prod-ledger',
    sse: { SSEAlgorithm: 'KMS', KMSMasterKeyID: `acs:kms:cn-hangzhou:1234567890123456:key/${KEY_ID}` },
    tags: { env: 'prod' },
  },
  { name: 'acme-prod-images', sse: { SSEAlgorithm: 'AES256' }, tags: { env: 'prod' } },
  { name: 'legacy-exports' },
  { name: 'acme-tmp' },
  { name: 'acme-cn-sm4', sse: { SSEAlgorithm: 'SM4' } },
];

describe('the same policy on a plan and on the account', () => {
  it('gives each bucket the same verdict in the Terraform plan and in the emulator audited with ali-oss', async () => {
    // Prepare
    world = await startWorld();
    world.emu.kms.state.createKey({ region: 'cn-hangzhou', keyId: KEY_ID });
    const client = ossClient({ url: world.emu.oss.url, ...world.emu.credentials, region: 'oss-cn-hangzhou' });
    for (const t of TWINS) {
      await client.putBucket(t.name);
      if (t.sse) await client.putBucketEncryption(t.name, t.sse);
      if (t.tags) await client.putBucketTags(t.name, t.tags);
    }

    // Act
    const audit = await runAudit(world.runtime, { policy: policyOf(POLICY), dryRun: true });
    const iac = await check([fixture('tf-emulator-twins.plan.json')], POLICY);

    // Assess
    const seen = (findings: Array<{ bucket: string; status: string; ruleId: string }>) =>
      Object.fromEntries(findings.map((f) => [f.bucket, `${f.status} ${f.ruleId}`]));
    expect(seen(iac.findings)).toEqual(seen(audit.findings));
    expect(seen(audit.findings)).toEqual({
      'acme-prod-ledger': 'compliant prod-cmk',
      'acme-prod-images': 'noncompliant prod-cmk',
      'legacy-exports': 'exempt legacy',
      'acme-tmp': 'noncompliant defaults',
      'acme-cn-sm4': 'compliant defaults',
    });
    for (const f of iac.findings) {
      const twin = audit.findings.find((a) => a.bucket === f.bucket);
      expect(f.region).toBe(twin?.region);
      expect(f.reason.startsWith(twin?.reason ?? '-')).toBe(true);
    }
  });
});

/**
 * Bucket verdicts that look at the key (issue 13), with the real ali-oss and KMS clients against the
 * emulators: a default on a CMK that is Disabled, PendingDeletion, missing or in another region is a
 * broken bucket (OSS refuses uploads that need such a key: error-center 0005-00000208 and neighbours),
 * so it is `noncompliant` at every level, counts against CIS 5.8 and 5.9, and is never switched to
 * another key unless a rule names one; a DescribeKey that fails makes the finding `error`; HSM and
 * EXTERNAL requirements are read from DescribeKey; each key is described once per region per run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { alertsForRun } from '../../shared/alerts/messages.js';
import { runAudit } from '../../shared/audit/run.js';
import type { Finding } from '../../shared/model.js';
import { computeDrift } from '../../shared/report/drift.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const byBucket = (findings: Finding[]) => new Map(findings.map((f) => [f.bucket, f]));
const kmsOn = (kmsMasterKeyId: string) => ({ encryption: { algorithm: 'KMS' as const, kmsMasterKeyId } });

/** Four buckets in cn-hangzhou on a Disabled, a PendingDeletion, a foreign-region and a missing CMK. */
function brokenBuckets(w: World) {
  const kms = w.emu.kms.state;
  const disabled = kms.createKey({ region: 'cn-hangzhou' });
  kms.disableKey(disabled.keyId, 'cn-hangzhou');
  const pending = kms.createKey({ region: 'cn-hangzhou' });
  kms.scheduleDeletion(pending.keyId, 7, 'cn-hangzhou');
  const foreign = kms.createKey({ region: 'cn-beijing' });
  const missing = '0b5d4f6e-0000-4000-8000-00000000dead';
  const s = w.emu.oss.state;
  s.createBucket('on-disabled', 'cn-hangzhou', kmsOn(disabled.keyId));
  s.createBucket('on-pending', 'cn-hangzhou', kmsOn(pending.keyId));
  s.createBucket('on-foreign', 'cn-hangzhou', kmsOn(foreign.arn));
  s.createBucket('on-missing', 'cn-hangzhou', kmsOn(missing));
  return { disabled, pending, foreign, missing };
}

describe('buckets on a CMK they cannot use', () => {
  it('reports Disabled, PendingDeletion, foreign-region and missing CMKs noncompliant with the key and its state, and switches none', async () => {
    // Prepare
    world = await startWorld();
    const k = brokenBuckets(world);
    const policy = policyOf('version: 1\ndefaults: { sse: { minimum: sse-oss }, remediate: true }');

    // Act
    const report = await runAudit(world.runtime, { policy, dryRun: false });

    // Assess
    const f = byBucket(report.findings);
    expect(report.summary.byStatus.noncompliant).toBe(4);
    expect(f.get('on-disabled')?.reason).toContain(
      `KMS key "${k.disabled.keyId}" is Disabled; expected Enabled`,
    );
    expect(f.get('on-pending')?.reason).toContain(
      `KMS key "${k.pending.keyId}" is PendingDeletion; expected Enabled`,
    );
    expect(f.get('on-foreign')?.reason).toContain(
      `KMS key "${k.foreign.arn}" is in region cn-beijing; expected the bucket's region cn-hangzhou`,
    );
    expect(f.get('on-missing')?.reason).toContain(
      `KMS key "${k.missing}" was not found in region cn-hangzhou`,
    );
    for (const finding of report.findings) {
      expect(finding.cis).toEqual(['5.8', '5.9']);
      expect(finding.reason).toContain('not switched to another KMS key: no rule names the key to use');
      expect(finding.action).toBeUndefined();
    }
    expect(f.get('on-disabled')).toMatchObject({ keyState: 'Disabled', keyOrigin: 'Aliyun_KMS' });
    expect(f.get('on-pending')?.keyState).toBe('PendingDeletion');
    expect(f.get('on-missing')?.keyState).toBe('NotFound');
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(0);
    expect(world.emu.oss.state.getBucket('on-disabled')?.encryption?.kmsMasterKeyId).toBe(k.disabled.keyId);
    const alert = alertsForRun(computeDrift(undefined, report), report).find((m) =>
      m.title.startsWith('on-disabled '),
    );
    // Markdown-escaped text; unescape to read it as a person does.
    const text = alert?.text.replace(/\\(.)/g, '$1');
    expect(text).toContain(`KMS key: ${k.disabled.keyId}: Disabled, Aliyun_KMS, SOFTWARE`);
    expect(text).toContain('is Disabled; expected Enabled');
  });

  it('switches a broken bucket only to the key a rule names, after its pre-flight', async () => {
    // Prepare
    world = await startWorld();
    const k = brokenBuckets(world);
    const good = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    world.emu.kms.state.createAlias('alias/good', good.keyId, 'cn-hangzhou');
    const policy = policyOf(`version: 1
defaults: { sse: { minimum: sse-oss }, remediate: true }
rules:
  - { id: named, buckets: [on-disabled], sse: { algorithm: KMS, kmsKeyId: alias/good } }
  - { id: same, buckets: [on-pending], sse: { algorithm: KMS, kmsKeyId: ${k.pending.keyId} } }
`);

    // Act
    const report = await runAudit(world.runtime, { policy, dryRun: false });

    // Assess
    const f = byBucket(report.findings);
    expect(f.get('on-disabled')).toMatchObject({ status: 'remediated', observed: { kmsKeyId: good.keyId } });
    expect(f.get('on-pending')?.status).toBe('noncompliant');
    expect(f.get('on-pending')?.reason).toContain('is the key that cannot be used');
    expect(f.get('on-foreign')?.status).toBe('noncompliant');
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(1);
  });

  it('passes a bucket on an Enabled customer CMK at kms-cmk and fails one on the OSS service key', async () => {
    // Prepare
    world = await startWorld();
    const cmk = world.emu.kms.state.createKey({ region: 'cn-shanghai' });
    const service = world.emu.kms.state.serviceKey('cn-shanghai');
    world.emu.oss.state.createBucket('on-cmk', 'cn-shanghai', kmsOn(cmk.keyId));
    world.emu.oss.state.createBucket('on-service', 'cn-shanghai', kmsOn(service.keyId));
    const policy = policyOf('version: 1\ndefaults: { sse: { minimum: kms-cmk } }');

    // Act
    const report = await runAudit(world.runtime, { policy, dryRun: true });

    // Assess
    const f = byBucket(report.findings);
    expect(f.get('on-cmk')).toMatchObject({ status: 'compliant', keyState: 'Enabled' });
    expect(f.get('on-service')?.status).toBe('noncompliant');
    expect(f.get('on-service')?.reason).toContain('is kms');
  });

  it('makes the finding error, never a pass, when DescribeKey is denied', async () => {
    // Prepare
    world = await startWorld();
    const cmk = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    world.emu.oss.state.createBucket('on-cmk', 'cn-hangzhou', kmsOn(cmk.keyId));
    world.emu.oss.state.createBucket('on-aes', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });
    world.emu.accounts.add({
      accessKeyId: 'EMU-NO-KMS',
      accessKeySecret: 'no-kms-secret',
      policy: { Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:*'], Resource: '*' }] },
    });
    const runtime = world.runtimeFor({ accessKeyId: 'EMU-NO-KMS', accessKeySecret: 'no-kms-secret' });

    // Act
    const report = await runAudit(runtime, { policy: policyOf('version: 1'), dryRun: true });

    // Assess
    const f = byBucket(report.findings);
    expect(f.get('on-cmk')).toMatchObject({ status: 'error', error: { code: 'Forbidden.NoPermission' } });
    expect(f.get('on-cmk')?.reason).toContain(cmk.keyId);
    expect(f.get('on-aes')?.status).toBe('compliant');
  });
});

describe('HSM and EXTERNAL requirements on buckets', () => {
  it('passes keyProtection hsm and keyOrigin external only on keys that have them', async () => {
    // Prepare
    world = await startWorld();
    const kms = world.emu.kms.state;
    const hsmByok = kms.createKey({
      region: 'cn-hangzhou',
      protectionLevel: 'HSM',
      origin: 'EXTERNAL',
      state: 'Enabled',
    });
    const hsm = kms.createKey({ region: 'cn-hangzhou', protectionLevel: 'HSM' });
    const soft = kms.createKey({ region: 'cn-hangzhou' });
    const s = world.emu.oss.state;
    s.createBucket('strong', 'cn-hangzhou', kmsOn(hsmByok.keyId));
    s.createBucket('hsm-only', 'cn-hangzhou', kmsOn(hsm.keyId));
    s.createBucket('soft', 'cn-hangzhou', kmsOn(soft.keyId));
    const policy = policyOf(
      'version: 1\ndefaults: { sse: { minimum: kms-cmk, keyProtection: hsm, keyOrigin: external } }',
    );

    // Act
    const report = await runAudit(world.runtime, { policy, dryRun: true });

    // Assess
    const f = byBucket(report.findings);
    expect(f.get('strong')).toMatchObject({
      status: 'compliant',
      keyProtection: 'HSM',
      keyOrigin: 'EXTERNAL',
    });
    expect(f.get('hsm-only')?.status).toBe('noncompliant');
    expect(f.get('hsm-only')?.reason).toContain('expected EXTERNAL');
    expect(f.get('soft')?.reason).toBe(`KMS key "${soft.keyId}" has protection level SOFTWARE; expected HSM`);
    expect(f.get('strong')?.requirement).toContain('HSM-protected key');
  });

  it('refuses to remediate to a named key weaker than the requirement', async () => {
    // Prepare
    world = await startWorld();
    const soft = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    world.emu.oss.state.createBucket('plain', 'cn-hangzhou');
    const policy = policyOf(
      `version: 1\ndefaults: { sse: { algorithm: KMS, kmsKeyId: ${soft.keyId}, keyProtection: hsm }, remediate: true }`,
    );

    // Act
    const report = await runAudit(world.runtime, { policy, dryRun: false });

    // Assess
    expect(report.findings[0]?.status).toBe('noncompliant');
    expect(report.findings[0]?.reason).toContain('no configuration meets the requirement');
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(0);
  });
});

describe('one DescribeKey per key per region', () => {
  it('describes each distinct key once per region in a 2,000-bucket audit (counted at the emulator)', async () => {
    // Prepare
    world = await startWorld();
    const regions = ['cn-hangzhou', 'cn-shanghai'];
    const keys = regions.flatMap((region) =>
      [0, 1, 2].map(() => world?.emu.kms.state.createKey({ region }) as { keyId: string; region: string }),
    );
    for (let i = 0; i < 2000; i += 1) {
      const region = regions[i % 2] as string;
      const own = keys.filter((k) => k.region === region);
      const key = own[i % 3] as { keyId: string };
      world.emu.oss.state.createBucket(`kb-${String(i).padStart(4, '0')}`, region, kmsOn(key.keyId));
    }
    const policy = policyOf('version: 1\ndefaults: { sse: { minimum: kms-cmk } }');

    // Act
    const report = await runAudit(world.runtime, { policy, dryRun: true, concurrency: 64 });

    // Assess
    const calls = world.emu.kms.calls('DescribeKey');
    expect(report.summary.byStatus.compliant).toBe(2000);
    expect(calls).toHaveLength(6);
    expect(calls.every((c) => c.count === 1)).toBe(true);
    expect(new Set(calls.map((c) => `${c.region}|${c.keyId}`))).toEqual(
      new Set(keys.map((k) => `${k.region}|${k.keyId}`)),
    );
  });
});

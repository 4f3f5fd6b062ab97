/**
 * The generated least-privilege RAM policy, attached to an access key in the emulators' RAM-like model:
 * the audit runs with it without a single AccessDenied, and what it does not allow is denied.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RamPolicy } from '../../emulator/core/accounts.js';
import { runAudit } from '../../shared/audit/run.js';
import type { CloudError } from '../../shared/errors.js';
import { type FunctionName, ramPolicy } from '../../shared/ram/generate.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function restrictedRuntime(w: World, text: string, fns: FunctionName[] = ['bucket-auditor']) {
  const doc = ramPolicy({ policy: policyOf(text).policy }, fns);
  w.emu.accounts.add({
    accessKeyId: 'EMU-LEAST-PRIVILEGE',
    accessKeySecret: 'least-privilege-secret',
    policy: doc as unknown as RamPolicy,
  });
  return {
    doc,
    runtime: w.runtimeFor({ accessKeyId: 'EMU-LEAST-PRIVILEGE', accessKeySecret: 'least-privilege-secret' }),
  };
}

describe('ram-policy', () => {
  it('grants no PutBucketEncryption to a report-only policy (only DescribeKey on the account keys), and the emulator denies it', async () => {
    // Prepare
    world = await startWorld();
    world.emu.oss.state.createBucket('ro-bucket', 'cn-hangzhou');
    const cmk = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    world.emu.oss.state.createBucket('ro-cmk', 'cn-hangzhou', {
      encryption: { algorithm: 'KMS', kmsMasterKeyId: cmk.keyId },
    });
    const { doc, runtime } = restrictedRuntime(world, 'version: 1');

    // Act
    const report = await runAudit(runtime, { policy: policyOf('version: 1'), dryRun: true });
    const put = await runtime.oss
      .putBucketEncryption({ name: 'ro-bucket', region: 'cn-hangzhou' }, { algorithm: 'AES256' })
      .catch((e: CloudError) => e);

    // Assess
    expect(JSON.stringify(doc)).not.toContain('PutBucketEncryption');
    const kmsStatements = doc.Statement.filter((st) => st.Action.some((a) => a.startsWith('kms:')));
    expect(kmsStatements).toEqual([
      { Effect: 'Allow', Action: ['kms:DescribeKey'], Resource: ['acs:kms:*:*:key/*'] },
    ]);
    expect(report.summary.byStatus.error).toBe(0);
    expect(report.findings.find((f) => f.bucket === 'ro-bucket')?.status).toBe('noncompliant');
    expect(report.findings.find((f) => f.bucket === 'ro-cmk')).toMatchObject({
      status: 'compliant',
      keyState: 'Enabled',
    });
    expect(put).toMatchObject({ code: 'AccessDenied', status: 403 });
  });

  it('scopes PutBucketEncryption to the buckets remediating rules select, and the audit needs nothing more', async () => {
    // Prepare
    world = await startWorld();
    const key = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    world.emu.kms.state.createAlias('alias/prod', key.keyId, 'cn-hangzhou');
    world.emu.oss.state.createBucket('prod-a', 'cn-hangzhou', { tags: { team: 'x' } });
    world.emu.oss.state.createBucket('dev-a', 'cn-hangzhou');
    const text = `version: 1
rules:
  - { id: prod, buckets: ["prod-*"], sse: { algorithm: KMS, kmsKeyId: alias/prod }, remediate: true }
  - { id: team, tags: { team: y }, remediate: false }
`;
    const { doc, runtime } = restrictedRuntime(world, text);

    // Act
    const report = await runAudit(runtime, { policy: policyOf(text), dryRun: false });
    const devPut = await runtime.oss
      .putBucketEncryption({ name: 'dev-a', region: 'cn-hangzhou' }, { algorithm: 'AES256' })
      .catch((e: CloudError) => e);

    // Assess
    const put = doc.Statement.find((s) => s.Action.includes('oss:PutBucketEncryption'));
    expect(put?.Resource).toEqual(['acs:oss:*:*:prod-*']);
    expect(report.summary.byStatus.error).toBe(0);
    expect(report.findings.find((f) => f.bucket === 'prod-a')?.status).toBe('remediated');
    expect(report.findings.find((f) => f.bucket === 'dev-a')?.status).toBe('noncompliant');
    expect(devPut).toMatchObject({ code: 'AccessDenied', status: 403 });
  });

  it('is stable and lists reads of the policy and writes of reports only when they live in OSS', () => {
    // Prepare
    const policy = policyOf('version: 1').policy;

    // Act
    const plain = ramPolicy({ policy }, ['bucket-auditor']);
    const withOss = ramPolicy(
      { policy, policyLocation: 'oss://cfg/sse/policy.yaml', reportLocation: 'oss://audit/reports/' },
      ['bucket-auditor'],
    );

    // Assess
    expect(JSON.stringify(plain)).not.toContain('oss:GetObject');
    expect(withOss.Statement).toEqual(
      expect.arrayContaining([
        { Effect: 'Allow', Action: ['oss:GetObject'], Resource: ['acs:oss:*:*:cfg/sse/policy.yaml'] },
        {
          Effect: 'Allow',
          Action: ['oss:GetObject', 'oss:PutObject'],
          Resource: ['acs:oss:*:*:audit/reports/*'],
        },
      ]),
    );
    expect(ramPolicy({ policy }, ['bucket-auditor'])).toEqual(plain);
  });
});

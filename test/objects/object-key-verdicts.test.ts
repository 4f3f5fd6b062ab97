/**
 * Object verdicts that look at the key (issue 13), with the real ali-oss and KMS clients against the
 * emulators. Real OSS answers `x-oss-server-side-encryption-key-id` also for objects on the OSS-managed
 * service key (aliyun-oss-python-sdk `tests/test_server_side_encryotion.py`,
 * `test_put_object_with_encryption`), so the id alone cannot tell `kms` from `kms-cmk`: DescribeKey's
 * `Creator` (the service code `OSS`, KMS "Integration with KMS") does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { guardObjects } from '../../shared/objects/guard.js';
import { type PolicyInput, policySchema } from '../../shared/policy/schema.js';
import { type GuardEnv, ossEvent, recordFor, startGuardEnv } from '../fixtures/events/builders.js';

let env: GuardEnv;
const BUCKET = 'key-verdicts';

const policyWith = (sse: NonNullable<PolicyInput['objects']>['sse'], action: 'alert' | 'encrypt' = 'alert') =>
  policySchema.parse({ version: 1, objects: { action, sse } });

async function put(key: string, headers: Record<string, string>): Promise<void> {
  await env.client(BUCKET).put(key, Buffer.from(`bytes of ${key}`), { headers });
}

async function check(key: string, sse: NonNullable<PolicyInput['objects']>['sse']) {
  const summary = await guardObjects(env.deps(), {
    policy: policyWith(sse),
    events: ossEvent(recordFor(env.emu, BUCKET, key)),
  });
  return summary;
}

beforeAll(async () => {
  env = await startGuardEnv();
  env.emu.oss.state.createBucket(BUCKET, 'cn-hangzhou');
});

beforeEach(() => {
  env.emu.kms.faults.clear();
});

afterAll(async () => {
  await env.close();
});

describe('objects on the OSS service key and on customer keys', () => {
  it('fails minimum kms-cmk and passes minimum kms for an object on the OSS service key (key id answered by OSS)', async () => {
    // Prepare
    await put('service.txt', { 'x-oss-server-side-encryption': 'KMS' });
    const head = await env.client(BUCKET).head('service.txt');

    // Act
    const cmk = await check('service.txt', { minimum: 'kms-cmk' });
    const kms = await check('service.txt', { minimum: 'kms' });

    // Assess
    const serviceKeyId = head.res.headers['x-oss-server-side-encryption-key-id'];
    expect(serviceKeyId).toBeTruthy();
    expect(cmk.findings[0]).toMatchObject({ verdict: 'wrong-key', keyState: 'Enabled' });
    expect(cmk.findings[0]?.reason).toContain('expected at least kms-cmk');
    expect(cmk.findings[0]?.reason).toContain('is kms');
    expect(kms.findings[0]?.verdict).toBe('encrypted');
  });

  it('passes minimum kms-cmk for an object on an Enabled customer key, and reports the key facts', async () => {
    // Prepare
    const key = env.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    await put('customer.txt', {
      'x-oss-server-side-encryption': 'KMS',
      'x-oss-server-side-encryption-key-id': key.keyId,
    });

    // Act
    const summary = await check('customer.txt', { minimum: 'kms-cmk' });

    // Assess
    expect(summary.findings[0]).toMatchObject({
      verdict: 'encrypted',
      keyState: 'Enabled',
      keyOrigin: 'Aliyun_KMS',
      keyProtection: 'SOFTWARE',
    });
  });

  it('gives error, never a pass, when DescribeKey keeps failing (throttled)', async () => {
    // Prepare
    const key = env.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    await put('throttled.txt', {
      'x-oss-server-side-encryption': 'KMS',
      'x-oss-server-side-encryption-key-id': key.keyId,
    });
    env.emu.kms.faults.set('DescribeKey', { throttleRate: 1 });

    // Act
    const summary = await check('throttled.txt', { minimum: 'kms-cmk' });

    // Assess
    expect(summary.findings[0]?.verdict).toBe('error');
    expect(summary.findings[0]?.reason).toContain(key.keyId);
    expect(summary.findings[0]?.error).toMatchObject({ code: 'Throttling', retryable: true });
    expect(summary.retryableFailure).toBe(true);
  });

  it('does not call DescribeKey when the requirement does not depend on the key', async () => {
    // Prepare
    await put('plain-kms.txt', { 'x-oss-server-side-encryption': 'KMS' });
    const before = env.emu.kms.faults.count('DescribeKey');

    // Act
    const summary = await check('plain-kms.txt', { minimum: 'sse-oss' });

    // Assess
    expect(summary.findings[0]?.verdict).toBe('encrypted');
    expect(env.emu.kms.faults.count('DescribeKey')).toBe(before);
  });
});

describe('HSM and imported (EXTERNAL) key material', () => {
  it('passes keyProtection hsm on an HSM key and fails it on a SOFTWARE key', async () => {
    // Prepare
    const hsm = env.emu.kms.state.createKey({ region: 'cn-hangzhou', protectionLevel: 'HSM' });
    const soft = env.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    await put('hsm.txt', {
      'x-oss-server-side-encryption': 'KMS',
      'x-oss-server-side-encryption-key-id': hsm.keyId,
    });
    await put('soft.txt', {
      'x-oss-server-side-encryption': 'KMS',
      'x-oss-server-side-encryption-key-id': soft.keyId,
    });

    // Act
    const onHsm = await check('hsm.txt', { minimum: 'kms-cmk', keyProtection: 'hsm' });
    const onSoft = await check('soft.txt', { minimum: 'kms-cmk', keyProtection: 'hsm' });

    // Assess
    expect(onHsm.findings[0]).toMatchObject({ verdict: 'encrypted', keyProtection: 'HSM' });
    expect(onSoft.findings[0]?.verdict).toBe('wrong-key');
    expect(onSoft.findings[0]?.reason).toBe(
      `KMS key "${soft.keyId}" has protection level SOFTWARE; expected HSM`,
    );
  });

  it('passes keyOrigin external on imported material and fails it on KMS-generated material', async () => {
    // Prepare: an EXTERNAL key whose material has been imported (Enabled).
    const byok = env.emu.kms.state.createKey({ region: 'cn-hangzhou', origin: 'EXTERNAL', state: 'Enabled' });
    const generated = env.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    await put('byok.txt', {
      'x-oss-server-side-encryption': 'KMS',
      'x-oss-server-side-encryption-key-id': byok.keyId,
    });
    await put('service-2.txt', { 'x-oss-server-side-encryption': 'KMS' });
    await put('generated.txt', {
      'x-oss-server-side-encryption': 'KMS',
      'x-oss-server-side-encryption-key-id': generated.keyId,
    });

    // Act
    const onByok = await check('byok.txt', { minimum: 'kms-cmk', keyOrigin: 'external' });
    const onGenerated = await check('generated.txt', { minimum: 'kms-cmk', keyOrigin: 'external' });
    const onService = await check('service-2.txt', { minimum: 'kms-cmk', keyOrigin: 'external' });

    // Assess
    expect(onByok.findings[0]).toMatchObject({ verdict: 'encrypted', keyOrigin: 'EXTERNAL' });
    expect(onGenerated.findings[0]?.verdict).toBe('wrong-key');
    expect(onGenerated.findings[0]?.reason).toContain('expected EXTERNAL');
    expect(onService.findings[0]?.verdict).toBe('wrong-key');
  });
});

/**
 * The upload guard's gates and failure handling against the emulators: KMS pre-flight, versioned
 * buckets, scope, `ignore`, cloud errors (retryable or not) and alert delivery failures.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OssGateway } from '../../shared/cloud/oss.js';
import { guardObjects } from '../../shared/objects/guard.js';
import { policySchema } from '../../shared/policy/schema.js';
import { type GuardEnv, ossEvent, recordFor, startGuardEnv } from '../fixtures/events/builders.js';

let env: GuardEnv;

const policyWith = (objects: Record<string, unknown>) => policySchema.parse({ version: 1, objects });
const encryptAes = policyWith({ action: 'encrypt', sse: { algorithm: 'AES256' } });

beforeAll(async () => {
  env = await startGuardEnv();
  env.emu.oss.state.createBucket('gates', 'cn-hangzhou');
});

afterAll(async () => {
  await env.close();
});

afterEach(() => {
  env.emu.oss.faults.clear();
});

describe('upload guard: gates', () => {
  it('blocks encryption when the required CMK is disabled, leaving the object as it was', async () => {
    // Prepare
    const key = env.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    env.emu.kms.state.disableKey(key.keyId, 'cn-hangzhou');
    env.emu.oss.state.putObject('gates', 'blocked.bin', 'payload');
    const policy = policyWith({ action: 'encrypt', sse: { algorithm: 'KMS', kmsKeyId: key.keyId } });
    // Act
    const summary = await guardObjects(env.deps(), {
      policy,
      events: ossEvent(recordFor(env.emu, 'gates', 'blocked.bin')),
    });
    // Assess
    expect(summary.findings[0]).toMatchObject({
      verdict: 'unencrypted',
      action: { kind: 'blocked', reason: expect.stringContaining('is Disabled; expected Enabled') },
    });
    expect(summary.actions.blocked).toBe(1);
    expect(env.emu.oss.state.getObject('gates', 'blocked.bin')?.sse).toBeUndefined();
  });

  it('says in the finding that older versions stay as they were in a versioned bucket', async () => {
    // Prepare
    env.emu.oss.state.createBucket('versioned-guard', 'cn-hangzhou', { versioning: 'Enabled' });
    env.emu.oss.state.putObject('versioned-guard', 'doc.txt', 'v1');
    env.emu.oss.state.putObject('versioned-guard', 'doc.txt', 'v2');
    // Act
    const summary = await guardObjects(env.deps(), {
      policy: encryptAes,
      events: ossEvent(recordFor(env.emu, 'versioned-guard', 'doc.txt')),
    });
    // Assess
    expect(summary.findings[0]?.action.kind).toBe('encrypted');
    expect(summary.findings[0]?.versioning).toContain(
      'older versions of this object are not checked and stay as they were',
    );
    expect(env.emu.oss.state.versionCount('versioned-guard', 'doc.txt')).toBe(3);
    expect(env.emu.oss.state.getObject('versioned-guard', 'doc.txt')?.sse).toEqual({ algorithm: 'AES256' });
  });

  it('skips buckets and keys outside the policy without calling OSS', async () => {
    // Prepare
    const policy = policyWith({
      action: 'encrypt',
      buckets: ['prod-*'],
      exclude: ['tmp/**'],
      sse: { algorithm: 'AES256' },
    });
    const heads = env.emu.oss.faults.count('HeadObject');
    // Act
    const summary = await guardObjects(env.deps(), {
      policy,
      events: ossEvent({ bucket: 'dev-data', key: 'a.txt' }, { bucket: 'prod-data', key: 'tmp/scratch.bin' }),
    });
    // Assess
    expect(summary.records).toBe(2);
    expect(summary.findings).toEqual([]);
    expect(summary.skipped.map((s) => [s.kind, s.reason])).toEqual([
      ['out-of-scope', 'events[0]: bucket "dev-data" is outside the policy (objects.buckets: prod-*)'],
      ['out-of-scope', 'events[1]: key is excluded by objects.exclude "tmp/**"'],
    ]);
    expect(env.emu.oss.faults.count('HeadObject')).toBe(heads);
  });

  it('reports but does not touch an unencrypted object when the policy says ignore', async () => {
    // Prepare
    env.emu.oss.state.putObject('gates', 'ignored.txt', 'x');
    // Act
    const summary = await guardObjects(env.deps(), {
      policy: policyWith({ action: 'ignore' }),
      events: ossEvent(recordFor(env.emu, 'gates', 'ignored.txt')),
    });
    // Assess
    expect(summary.findings[0]).toMatchObject({
      verdict: 'unencrypted',
      action: { kind: 'skipped', reason: 'objects.action is ignore' },
    });
    expect(env.emu.oss.state.getObject('gates', 'ignored.txt')?.sse).toBeUndefined();
  });

  it('finds an object that is already gone missing, not an error', async () => {
    // Act
    const summary = await guardObjects(env.deps(), {
      policy: encryptAes,
      events: ossEvent({ bucket: 'gates', key: 'deleted%20already.txt', eTag: 'ABC' }),
    });
    // Assess
    expect(summary.findings[0]).toMatchObject({ verdict: 'missing', action: { kind: 'none' } });
    expect(summary.findings[0]?.reason).toBe(
      'not found under "deleted%20already.txt" or "deleted already.txt": deleted or replaced before it could be checked',
    );
    expect(summary.retryableFailure).toBe(false);
  });
});

describe('upload guard: failures', () => {
  it('marks the summary retryable when OSS keeps throttling HeadObject', async () => {
    // Prepare
    env.emu.oss.state.putObject('gates', 'throttled.txt', 'x');
    env.emu.oss.faults.set('HeadObject', { throttleRate: 1 });
    // Act
    const summary = await guardObjects(env.deps(), {
      policy: encryptAes,
      events: ossEvent(recordFor(env.emu, 'gates', 'throttled.txt')),
    });
    // Assess
    expect(summary.retryableFailure).toBe(true);
    expect(summary.findings[0]).toMatchObject({
      verdict: 'error',
      error: { code: 'MetaOperationQpsLimitExceeded', status: 503, retryable: true },
    });
    expect(env.verdictLines().at(-1)).toMatchObject({
      key: 'throttled.txt',
      verdict: 'error',
      level: 'error',
    });
  });

  it('records a copy refused with AccessDenied as an error that is not retried', async () => {
    // Prepare: a role that may read objects but not write them.
    const readOnly = { accessKeyId: 'EMUGUARDREADER', accessKeySecret: 'reader-secret' };
    env.emu.accounts.add({
      ...readOnly,
      policy: {
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: ['oss:GetObject'], Resource: ['acs:oss:*:*:gates/*'] }],
      },
    });
    env.emu.oss.state.putObject('gates', 'denied.txt', 'x');
    const oss = new OssGateway({
      credentials: readOnly,
      endpoint: env.emu.oss.url,
      retry: { maxAttempts: 2, baseMs: 1 },
    });
    // Act
    const summary = await guardObjects(env.deps({ oss }), {
      policy: encryptAes,
      events: ossEvent(recordFor(env.emu, 'gates', 'denied.txt')),
    });
    // Assess
    expect(summary.findings[0]?.verdict).toBe('unencrypted');
    expect(summary.findings[0]?.action.reason).toContain('in-place encryption failed');
    expect(summary.findings[0]?.error).toMatchObject({ code: 'AccessDenied', status: 403, retryable: false });
    expect(summary.retryableFailure).toBe(false);
  });

  it('keeps going when the alert cannot be delivered', async () => {
    // Prepare
    env.emu.oss.state.putObject('gates', 'alert-fails.txt', 'x');
    // Act
    const summary = await guardObjects(
      env.deps({
        alert: async () => {
          throw new Error('webhook down');
        },
      }),
      {
        policy: policyWith({ action: 'alert' }),
        events: ossEvent(recordFor(env.emu, 'gates', 'alert-fails.txt')),
      },
    );
    // Assess
    expect(summary.actions.alerted).toBe(1);
    expect(env.logs.find((l) => l.msg === 'alert delivery failed')).toMatchObject({
      err: 'webhook down',
      level: 'error',
    });
  });
});

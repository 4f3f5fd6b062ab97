/**
 * The multipart path of in-place encryption, scaled down: the threshold is lowered to 1 MB and parts to
 * 256 KB, so a 3 MB object takes the same code path a 5 GB object takes with the defaults (1 GB
 * threshold, 64 MB parts: 80 UploadPartCopy requests; see the unit test of `effectivePartSize`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { guardObjects } from '../../shared/objects/guard.js';
import { policySchema } from '../../shared/policy/schema.js';
import { type GuardEnv, ossEvent, recordFor, sha256, startGuardEnv } from '../fixtures/events/builders.js';

let env: GuardEnv;
const KB = 1024;
const copy = { multipartThreshold: 1024 * KB, partSize: 256 * KB, parallel: 4 };
/** 3 MB and a little: 13 parts, the last one short. */
const big = Buffer.alloc(3 * 1024 * KB + 4321);
for (let i = 0; i < big.length; i += 1) big[i] = (i * 7919) % 251;

beforeAll(async () => {
  env = await startGuardEnv();
  env.emu.oss.state.createBucket('mp-guard', 'cn-hangzhou');
});

afterAll(async () => {
  await env.close();
});

afterEach(() => {
  env.emu.oss.faults.clear();
});

describe('upload guard: multipart copy of large objects', () => {
  it('encrypts a large object part by part, keeping bytes, content type, metadata and tags', async () => {
    // Prepare
    const cmk = env.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    const policy = policySchema.parse({
      version: 1,
      objects: { action: 'encrypt', sse: { algorithm: 'KMS', kmsKeyId: cmk.keyId } },
    });
    const c = env.client('mp-guard');
    await c.multipartUpload('video/raw take 1.mov', big, {
      partSize: 512 * KB,
      headers: { 'Content-Type': 'video/quicktime', 'x-oss-meta-camera': 'A', 'x-oss-tagging': 'stage=raw' },
    });
    const faults = env.emu.oss.faults;
    const [copies, parts] = [faults.count('CopyObject'), faults.count('UploadPartCopy')];
    // Act
    const summary = await guardObjects(env.deps({ copy }), {
      policy,
      events: ossEvent(
        recordFor(env.emu, 'mp-guard', 'video/raw take 1.mov', {
          eventName: 'ObjectCreated:CompleteMultipartUpload',
        }),
      ),
    });
    // Assess
    expect(summary.findings[0]?.action).toMatchObject({ kind: 'encrypted', multipart: true });
    expect(summary.findings[0]?.action.reason).toContain('multipart copy in 13 parts');
    expect(faults.count('UploadPartCopy') - parts).toBe(13);
    expect(faults.count('CopyObject')).toBe(copies);
    const got = await c.get('video/raw take 1.mov');
    expect(sha256(got.content)).toBe(sha256(big));
    expect(got.res.headers).toMatchObject({
      'content-type': 'video/quicktime',
      'x-oss-meta-camera': 'A',
      'x-oss-server-side-encryption': 'KMS',
      'x-oss-server-side-encryption-key-id': cmk.keyId,
    });
    expect((await c.getObjectTagging('video/raw take 1.mov')).tag).toEqual({ stage: 'raw' });
    expect(env.emu.oss.state.getBucket('mp-guard')?.uploads.size).toBe(0);
  });

  it('changes nothing when the CompleteMultipartUpload event of its own copy is replayed', async () => {
    // Prepare
    const policy = policySchema.parse({
      version: 1,
      objects: { action: 'encrypt', sse: { algorithm: 'AES256' } },
    });
    env.emu.oss.state.putObject('mp-guard', 'replay.bin', big);
    await guardObjects(env.deps({ copy }), {
      policy,
      events: ossEvent(recordFor(env.emu, 'mp-guard', 'replay.bin')),
    });
    const after = env.emu.oss.state.getObject('mp-guard', 'replay.bin');
    const parts = env.emu.oss.faults.count('UploadPartCopy');
    // Act
    const summary = await guardObjects(env.deps({ copy }), {
      policy,
      events: ossEvent(
        recordFor(env.emu, 'mp-guard', 'replay.bin', { eventName: 'ObjectCreated:CompleteMultipartUpload' }),
      ),
    });
    // Assess
    expect(summary.findings[0]).toMatchObject({ verdict: 'encrypted', action: { kind: 'none' } });
    expect(env.emu.oss.faults.count('UploadPartCopy')).toBe(parts);
    expect(env.emu.oss.state.getObject('mp-guard', 'replay.bin')?.etag).toBe(after?.etag);
  });

  it('abandons the copy, without completing it, when a newer upload lands during the part copies', async () => {
    // Prepare: every part copy waits 100 ms in the emulator; a newer upload is made meanwhile.
    const policy = policySchema.parse({
      version: 1,
      objects: { action: 'encrypt', sse: { algorithm: 'AES256' } },
    });
    env.emu.oss.state.putObject('mp-guard', 'race.bin', big);
    const event = ossEvent(recordFor(env.emu, 'mp-guard', 'race.bin'));
    env.emu.oss.faults.set('UploadPartCopy', { latencyMs: 100 });
    const before = env.emu.oss.faults.count('UploadPartCopy');
    const newer = Buffer.from('a small newer upload');
    // Act
    const running = guardObjects(env.deps({ copy }), { policy, events: event });
    while (env.emu.oss.faults.count('UploadPartCopy') === before) await new Promise((r) => setTimeout(r, 2));
    await env.client('mp-guard').put('race.bin', newer);
    const summary = await running;
    // Assess
    expect(summary.findings[0]?.action.kind).toBe('skipped');
    expect(env.emu.oss.state.getObject('mp-guard', 'race.bin')?.body.equals(newer)).toBe(true);
    expect(env.emu.oss.state.getBucket('mp-guard')?.uploads.size).toBe(0);
  });
});

/**
 * The upload guard against the OSS and KMS emulators with the real ali-oss client: alert, encrypt in
 * place (AES256 and a KMS CMK), loop safety when the copy's own event is replayed, and never overwriting
 * a newer upload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardObjects } from '../../shared/objects/guard.js';
import { OwnWrites } from '../../shared/objects/own-writes.js';
import type { ObjectFinding } from '../../shared/objects/types.js';
import { policySchema } from '../../shared/policy/schema.js';
import { type GuardEnv, ossEvent, recordFor, sha256, startGuardEnv } from '../fixtures/events/builders.js';

let env: GuardEnv;

const policyWith = (objects: Record<string, unknown>) => policySchema.parse({ version: 1, objects });
const body = Buffer.from('quarterly numbers, 2026\n'.repeat(64));

/** Uploads through ali-oss with content type, user metadata and tags, without any SSE header. */
async function upload(bucket: string, key: string, data = body) {
  const res = await env.client(bucket).put(key, data, {
    mime: 'text/csv',
    meta: { owner: 'finance', 'review-state': 'draft' },
    headers: { 'x-oss-tagging': 'team=fin&class=internal%20only', 'Cache-Control': 'no-cache' },
  });
  return res.res.headers['x-oss-request-id'];
}

beforeAll(async () => {
  env = await startGuardEnv();
});

afterAll(async () => {
  await env.close();
});

describe('upload guard: alert and encrypt in place', () => {
  it('alerts on an object uploaded without SSE to a bucket without a default, and changes nothing', async () => {
    // Prepare
    env.emu.oss.state.createBucket('alert-plain', 'cn-hangzhou');
    const requestId = await upload('alert-plain', 'reports/q1.csv');
    const alerted: ObjectFinding[][] = [];
    const copiesBefore = env.emu.oss.faults.count('CopyObject');
    // Act
    const summary = await guardObjects(env.deps({ alert: async (f) => void alerted.push(f) }), {
      policy: policyWith({ action: 'alert' }),
      events: ossEvent(recordFor(env.emu, 'alert-plain', 'reports/q1.csv', { requestId })),
    });
    // Assess
    expect(summary).toMatchObject({ records: 1, retryableFailure: false, skipped: [] });
    expect(summary.byVerdict.unencrypted).toBe(1);
    expect(summary.actions.alerted).toBe(1);
    expect(alerted).toHaveLength(1);
    expect(alerted[0]?.[0]).toMatchObject({
      bucket: 'alert-plain',
      key: 'reports/q1.csv',
      verdict: 'unencrypted',
    });
    expect(env.emu.oss.faults.count('CopyObject')).toBe(copiesBefore);
    expect(env.emu.oss.state.getObject('alert-plain', 'reports/q1.csv')?.sse).toBeUndefined();
    const line = env.verdictLines().find((l) => l.bucket === 'alert-plain');
    expect(line).toMatchObject({
      key: 'reports/q1.csv',
      size: body.length,
      eventRequestId: requestId,
      verdict: 'unencrypted',
      action: 'alerted',
      level: 'warn',
    });
  });

  it('encrypts in place with AES256, keeping bytes, content type, metadata and tags', async () => {
    // Prepare
    env.emu.oss.state.createBucket('enc-aes', 'cn-hangzhou');
    await upload('enc-aes', 'q1.csv');
    const c = env.client('enc-aes');
    const before = await c.get('q1.csv');
    // Act
    const summary = await guardObjects(env.deps(), {
      policy: policyWith({ action: 'encrypt', sse: { algorithm: 'AES256' } }),
      events: ossEvent(recordFor(env.emu, 'enc-aes', 'q1.csv')),
    });
    // Assess
    expect(summary.findings[0]).toMatchObject({
      verdict: 'unencrypted',
      action: { kind: 'encrypted', multipart: false },
    });
    const after = await c.get('q1.csv');
    expect(sha256(after.content)).toBe(sha256(before.content));
    expect(after.res.headers).toMatchObject({
      'content-type': 'text/csv',
      'cache-control': 'no-cache',
      'x-oss-meta-owner': 'finance',
      'x-oss-meta-review-state': 'draft',
      'x-oss-server-side-encryption': 'AES256',
    });
    expect((await c.getObjectTagging('q1.csv')).tag).toEqual({ team: 'fin', class: 'internal only' });
  });

  it('encrypts in place with the CMK the policy names by alias, after the KMS pre-flight', async () => {
    // Prepare
    const key = env.emu.kms.state.createKey({ region: 'cn-hangzhou', description: 'guard CMK' });
    env.emu.kms.state.createAlias('alias/guard-cmk', key.keyId, 'cn-hangzhou');
    env.emu.oss.state.createBucket('enc-kms', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });
    await upload('enc-kms', 'ledger.csv');
    const policy = policyWith({ action: 'encrypt', sse: { algorithm: 'KMS', kmsKeyId: 'alias/guard-cmk' } });
    // Act
    const summary = await guardObjects(env.deps(), {
      policy,
      events: ossEvent(recordFor(env.emu, 'enc-kms', 'ledger.csv')),
    });
    // Assess
    expect(summary.findings[0]).toMatchObject({
      verdict: 'wrong-key',
      observed: { algorithm: 'AES256' },
      action: { kind: 'encrypted', to: { algorithm: 'KMS', kmsKeyId: key.keyId } },
    });
    const head = await env.client('enc-kms').head('ledger.csv');
    expect(head.res.headers['x-oss-server-side-encryption']).toBe('KMS');
    expect(head.res.headers['x-oss-server-side-encryption-key-id']).toBe(key.keyId);
    expect(head.meta).toEqual({ owner: 'finance', 'review-state': 'draft' });
    expect(sha256(env.emu.oss.state.getObject('enc-kms', 'ledger.csv')?.body ?? Buffer.alloc(0))).toBe(
      sha256(body),
    );
  });

  it('changes nothing when the event its own copy produced is replayed', async () => {
    // Prepare
    env.emu.oss.state.createBucket('replay', 'cn-hangzhou');
    await upload('replay', 'data.csv');
    const policy = policyWith({ action: 'encrypt', sse: { algorithm: 'AES256' } });
    const ownWrites = new OwnWrites();
    await guardObjects(env.deps({ ownWrites }), {
      policy,
      events: ossEvent(recordFor(env.emu, 'replay', 'data.csv')),
    });
    const copied = env.emu.oss.state.getObject('replay', 'data.csv');
    const copyEvent = ossEvent(
      recordFor(env.emu, 'replay', 'data.csv', { eventName: 'ObjectCreated:CopyObject' }),
    );
    const copies = env.emu.oss.faults.count('CopyObject');
    // Act
    const replayed = await guardObjects(env.deps({ ownWrites }), { policy, events: copyEvent });
    const again = await guardObjects(env.deps(), { policy, events: copyEvent });
    // Assess
    for (const s of [replayed, again]) {
      expect(s.findings[0]).toMatchObject({
        eventName: 'ObjectCreated:CopyObject',
        verdict: 'encrypted',
        action: { kind: 'none' },
      });
    }
    expect(env.emu.oss.faults.count('CopyObject')).toBe(copies);
    expect(env.emu.oss.state.getObject('replay', 'data.csv')?.lastModified).toEqual(copied?.lastModified);
  });

  it('never copies again a version it wrote itself, even when the requirement changed since', async () => {
    // Prepare
    env.emu.oss.state.createBucket('no-ping-pong', 'cn-hangzhou');
    await upload('no-ping-pong', 'x.csv');
    const ownWrites = new OwnWrites();
    await guardObjects(env.deps({ ownWrites }), {
      policy: policyWith({ action: 'encrypt', sse: { algorithm: 'AES256' } }),
      events: ossEvent(recordFor(env.emu, 'no-ping-pong', 'x.csv')),
    });
    const copies = env.emu.oss.faults.count('CopyObject');
    // Act: a second guard now wants exactly SM4 and sees the copy's event.
    const summary = await guardObjects(env.deps({ ownWrites }), {
      policy: policyWith({ action: 'encrypt', sse: { algorithm: 'SM4' }, match: 'exact' }),
      events: ossEvent(
        recordFor(env.emu, 'no-ping-pong', 'x.csv', { eventName: 'ObjectCreated:CopyObject' }),
      ),
    });
    // Assess
    expect(summary.findings[0]?.verdict).toBe('wrong-key');
    expect(summary.findings[0]?.action).toMatchObject({
      kind: 'skipped',
      reason: expect.stringContaining('own copy'),
    });
    expect(env.emu.oss.faults.count('CopyObject')).toBe(copies);
  });

  it('does not overwrite an object replaced between the event and the copy', async () => {
    // Prepare
    env.emu.oss.state.createBucket('replaced', 'cn-hangzhou');
    await upload('replaced', 'r.csv');
    const staleEvent = ossEvent(recordFor(env.emu, 'replaced', 'r.csv'));
    const newer = Buffer.from('a newer upload');
    await upload('replaced', 'r.csv', newer);
    const policy = policyWith({ action: 'encrypt', sse: { algorithm: 'AES256' } });
    // Act
    const summary = await guardObjects(env.deps(), { policy, events: staleEvent });
    // Assess
    expect(summary.findings[0]?.action).toMatchObject({
      kind: 'skipped',
      reason: expect.stringContaining('replaced since the event'),
    });
    const obj = env.emu.oss.state.getObject('replaced', 'r.csv');
    expect(obj?.body.equals(newer)).toBe(true);
    expect(obj?.sse).toBeUndefined();
  });

  it('lets OSS refuse the copy (if-match) when a newer upload lands between the check and the copy', async () => {
    // Prepare: the copy request waits 300 ms in the emulator; a newer upload is made meanwhile.
    env.emu.oss.state.createBucket('race', 'cn-hangzhou');
    await upload('race', 'r.csv');
    const event = ossEvent(recordFor(env.emu, 'race', 'r.csv'));
    env.emu.oss.faults.set('CopyObject', { latencyMs: 300, times: 1 });
    const copiesBefore = env.emu.oss.faults.count('CopyObject');
    const newer = Buffer.from('uploaded during the copy');
    // Act
    const running = guardObjects(env.deps(), {
      policy: policyWith({ action: 'encrypt', sse: { algorithm: 'AES256' } }),
      events: event,
    });
    while (env.emu.oss.faults.count('CopyObject') === copiesBefore)
      await new Promise((r) => setTimeout(r, 2));
    await upload('race', 'r.csv', newer);
    const summary = await running;
    // Assess
    expect(summary.findings[0]?.action).toMatchObject({
      kind: 'skipped',
      reason: expect.stringContaining('copy-source-if-match'),
    });
    expect(env.emu.oss.state.getObject('race', 'r.csv')?.body.equals(newer)).toBe(true);
  });
});

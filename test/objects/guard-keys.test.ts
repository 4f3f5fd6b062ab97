/**
 * Object keys with spaces, `+`, `%`, unicode and slashes, as the event gives them (OSS writes the key as
 * stored) and URL-encoded (as S3-style notifications do): the guard finds and encrypts the right object,
 * and never confuses a literal `%2F` or `+` in a key with an escape.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardObjects } from '../../shared/objects/guard.js';
import { policySchema } from '../../shared/policy/schema.js';
import { type GuardEnv, ossEvent, recordFor, startGuardEnv } from '../fixtures/events/builders.js';

let env: GuardEnv;
const policy = policySchema.parse({
  version: 1,
  objects: { action: 'encrypt', sse: { algorithm: 'AES256' } },
});

/** Form encoding, as S3 writes keys in notifications: `%XX` escapes, a space as `+`, slashes kept. */
const formEncoded = (key: string) => encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');

const KEYS = [
  'reports/2026 Q1/summary final.csv',
  'c++/a+b=c.txt',
  'literal%2Fslash/file%20name.txt',
  '财务/二〇二六/报表 一月.xlsx',
  'deep/nested/path/with/many/levels/x.bin',
  "odd chars/!$&'()*,;=@[]~.txt",
];

beforeAll(async () => {
  env = await startGuardEnv();
  env.emu.oss.state.createBucket('keys', 'cn-hangzhou');
});

afterAll(async () => {
  await env.close();
});

describe('upload guard: object keys', () => {
  it.each(KEYS)('encrypts %j when the event carries the key as stored', async (key) => {
    // Prepare
    await env.client('keys').put(key, Buffer.from(`bytes of ${key}`));
    // Act
    const summary = await guardObjects(env.deps(), {
      policy,
      events: ossEvent(recordFor(env.emu, 'keys', key)),
    });
    // Assess
    expect(summary.findings[0]).toMatchObject({ key, verdict: 'unencrypted', action: { kind: 'encrypted' } });
    expect(summary.findings[0]?.eventKey).toBeUndefined();
    expect(env.emu.oss.state.getObject('keys', key)?.sse).toEqual({ algorithm: 'AES256' });
  });

  it.each(KEYS.filter((k) => formEncoded(k) !== k))(
    'finds %j under its URL-decoded form when the event carries it encoded',
    async (key) => {
      // Prepare
      const stored = `encoded/${key}`;
      await env.client('keys').put(stored, Buffer.from('x'));
      const encoded = formEncoded(stored);
      // Act
      const summary = await guardObjects(env.deps(), {
        policy,
        events: ossEvent({ ...recordFor(env.emu, 'keys', stored), key: encoded }),
      });
      // Assess
      expect(summary.findings[0]).toMatchObject({
        key: stored,
        eventKey: encoded,
        action: { kind: 'encrypted' },
      });
      expect(env.emu.oss.state.getObject('keys', stored)?.sse).toEqual({ algorithm: 'AES256' });
    },
  );

  it('prefers the key as given: a literal "%2F" and "+" are not decoded when that object exists', async () => {
    // Prepare: both the literal key and what it would decode to exist; only the literal one is new.
    const literal = 'lit/a%2Fb+c.txt';
    env.emu.oss.state.putObject('keys', literal, 'literal');
    env.emu.oss.state.putObject('keys', 'lit/a/b c.txt', 'decoded', { sse: { algorithm: 'AES256' } });
    // Act
    const summary = await guardObjects(env.deps(), {
      policy,
      events: ossEvent(recordFor(env.emu, 'keys', literal)),
    });
    // Assess
    expect(summary.findings[0]).toMatchObject({
      key: literal,
      verdict: 'unencrypted',
      action: { kind: 'encrypted' },
    });
    expect(env.emu.oss.state.getObject('keys', literal)?.sse).toEqual({ algorithm: 'AES256' });
  });
});

/**
 * The event corpus against the upload guard with the real ali-oss and the OSS emulator: the 48 malformed
 * variants of the documented sample (test/fixtures/events/malformed.json) and the hostile events of
 * event-corpus.ts. Each gets a clear skip reason or a correct verdict, none asks Function Compute for a
 * retry, and none changes an object: the bucket's objects are byte-for-byte and SSE-for-SSE as before.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardObjects } from '../../shared/objects/guard.js';
import { policyFromText } from '../../shared/policy/load.js';
import { type GuardEnv, startGuardEnv } from '../fixtures/events/builders.js';
import { ACCOUNT, BYSTANDER, CORPUS_BUCKET, HOSTILE_EVENTS } from './event-corpus.js';

const malformed = (
  JSON.parse(readFileSync(new URL('../fixtures/events/malformed.json', import.meta.url), 'utf8')) as {
    cases: Array<{ name: string; text?: string; event?: unknown; reason: string }>;
  }
).cases;

const POLICY = policyFromText(
  `version: 1\nobjects:\n  action: encrypt\n  buckets: ["${CORPUS_BUCKET}"]\n  exclude: ["tmp/**"]\n  sse: { algorithm: AES256 }\n`,
  'hostile-events.yaml',
).policy;

let env: GuardEnv;
/** Every object's bytes and SSE before the corpus ran. */
let before: string;

function snapshot(): string {
  const keys = ['inbox/a.txt', BYSTANDER, 'b', 'testbucket-object'];
  return JSON.stringify(
    keys.map((k) => {
      const o = env.emu.oss.state.getObject(CORPUS_BUCKET, k);
      return [k, o?.body.toString('base64'), o?.sse ?? null, o?.etag];
    }),
  );
}

beforeAll(async () => {
  env = await startGuardEnv();
  env.emu.oss.state.createBucket(CORPUS_BUCKET, 'cn-hangzhou');
  env.emu.oss.state.createBucket('testbucket', 'cn-hangzhou');
  // `inbox/a.txt` exists encrypted: events naming it are checked and found compliant, never copied.
  env.emu.oss.state.putObject(CORPUS_BUCKET, 'inbox/a.txt', 'a', { sse: { algorithm: 'AES256' } });
  env.emu.oss.state.putObject(CORPUS_BUCKET, BYSTANDER, 'secret', { sse: null });
  env.emu.oss.state.putObject(CORPUS_BUCKET, 'b', 'b', { sse: null });
  before = snapshot();
});
afterAll(async () => {
  await env.close();
});

describe('the hostile event corpus', () => {
  it('holds at least 100 events, malformed.json included', () => {
    // Prepare
    const names = new Set([
      ...HOSTILE_EVENTS.map((e) => e.name),
      ...malformed.map((c) => `malformed: ${c.name}`),
    ]);

    // Act
    const count = names.size;

    // Assess
    expect(count).toBe(HOSTILE_EVENTS.length + malformed.length);
    expect(count).toBeGreaterThanOrEqual(100);
  });

  it.each(HOSTILE_EVENTS.map((e) => [e.name, e] as const))(
    'answers %s clearly, without a retry',
    async (_n, e) => {
      // Prepare
      const events = Buffer.from(JSON.stringify(e.payload));

      // Act
      const summary = await guardObjects(env.deps(), { policy: POLICY, events, accountId: ACCOUNT });

      // Assess
      expect(summary.retryableFailure).toBe(false);
      if (e.expect.kind === 'skip') {
        expect(summary.findings).toEqual([]);
        expect(summary.skipped.length).toBeGreaterThan(0);
        const reasons = summary.skipped.map((s) => s.reason);
        expect(
          reasons.some((r) => (e.expect as { reason: RegExp }).reason.test(r)),
          JSON.stringify(reasons),
        ).toBe(true);
      } else {
        expect(summary.skipped, JSON.stringify(summary.skipped)).toEqual([]);
        expect(summary.findings.map((f) => f.verdict)).toEqual(['missing']);
        expect(summary.findings[0]?.reason).toMatch(/^not found under /);
      }
      // Every reason is one printable line naming its record.
      for (const s of summary.skipped) {
        expect(s.reason).toMatch(/^(events?\[\d+\]: |event )/);
      }
    },
  );

  it.each(malformed.map((c) => [c.name, c] as const))(
    'skips malformed: %s, calling nothing',
    async (_n, c) => {
      // Prepare
      const events = c.text ?? JSON.stringify(c.event);
      const calls = env.emu.oss.faults.count('HeadObject');

      // Act
      const summary = await guardObjects(env.deps(), { policy: POLICY, events, accountId: ACCOUNT });

      // Assess
      expect(summary.retryableFailure).toBe(false);
      expect(summary.findings).toEqual([]);
      expect(summary.skipped.some((s) => s.reason.includes(c.reason))).toBe(true);
      expect(env.emu.oss.faults.count('HeadObject')).toBe(calls);
    },
  );

  it('changed no object while the corpus ran', () => {
    // Act
    const after = snapshot();

    // Assess
    expect(after).toBe(before);
    expect(env.emu.oss.faults.count('CopyObject')).toBe(0);
    expect(env.emu.oss.faults.count('PutObject')).toBe(0);
  });
});

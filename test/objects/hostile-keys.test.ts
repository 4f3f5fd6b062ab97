/**
 * Object keys an uploader could pick to stay out of the guard's reach (`..`, `./`, `/../`, a newline,
 * U+2028...): they are ordinary OSS names (OSS "Object naming conventions": any UTF-8, 1-1023 bytes, not
 * starting with `/` or `\`), so `include: ["**"]` covers them. The upload guard and `backfill --local
 * --remediate` both reach them and leave them encrypted, against the OSS emulator with the real ali-oss.
 * Scope is checked on exactly the key acted on, and a key no object can have is a bad event.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardObjects } from '../../shared/objects/guard.js';
import { globMatchSteps } from '../../shared/policy/glob.js';
import { policyFromText } from '../../shared/policy/load.js';
import { type GuardEnv, ossEvent, recordFor, startGuardEnv } from '../fixtures/events/builders.js';
import { runCli } from '../helpers/cli.js';

const BUCKET = 'hostile-keys';
const ENCRYPT =
  'version: 1\nobjects:\n  action: encrypt\n  include: ["**"]\n  exclude: ["tmp/**", "*.*.*.*.*.tmp"]\n  sse: { algorithm: AES256 }\n';
/** Eight keys that picomatch's `**` refused (paths with dot segments, line terminators). */
const HOSTILE_KEYS = ['..', './x', 'a/../b', '../up/..', 'x\ny', 'x\u2028y', 'a/./b/.', '.'];

let env: GuardEnv;
const policy = policyFromText(ENCRYPT, 'hostile-keys.yaml').policy;

beforeAll(async () => {
  env = await startGuardEnv();
  env.emu.oss.state.createBucket(BUCKET, 'cn-hangzhou');
  env.emu.oss.state.createBucket('hostile-backfill', 'cn-hangzhou');
});
afterAll(async () => {
  await env.close();
});

describe('hostile object keys', () => {
  it('encrypts objects whose keys hold .., ./, /../, a newline or U+2028 when the guard gets their events', async () => {
    // Prepare
    for (const key of HOSTILE_KEYS)
      env.emu.oss.state.putObject(BUCKET, key, `bytes of ${key}`, { sse: null });
    const event = ossEvent(...HOSTILE_KEYS.map((k) => recordFor(env.emu, BUCKET, k)));

    // Act
    const summary = await guardObjects(env.deps(), { policy, events: event });

    // Assess
    expect(summary.skipped).toEqual([]);
    expect(summary.findings.map((f) => [f.key, f.action.kind])).toEqual(
      HOSTILE_KEYS.map((k) => [k, 'encrypted']),
    );
    for (const key of HOSTILE_KEYS) {
      expect(env.emu.oss.state.getObject(BUCKET, key)?.sse, key).toMatchObject({ algorithm: 'AES256' });
    }
  });

  it('backfill --local --remediate reaches all 8 and reports none remaining only when none remains', async () => {
    // Prepare
    for (const key of HOSTILE_KEYS) env.emu.oss.state.putObject('hostile-backfill', key, key, { sse: null });
    const dir = await mkdtemp(join(tmpdir(), 'hostile-backfill-'));
    const args = ['backfill', '--bucket', 'hostile-backfill', '--local', '--remediate', '--out', dir];

    // Act
    const res = await runCli(args, { ...env.emu.env, OSS_SSE_GUARD_POLICY: ENCRYPT });

    // Assess
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/objects: {3}8 listed, 0 out of scope/);
    expect(res.stdout).toMatch(/encrypted 8/);
    for (const key of HOSTILE_KEYS) {
      expect(env.emu.oss.state.getObject('hostile-backfill', key)?.sse, key).toMatchObject({
        algorithm: 'AES256',
      });
    }
  }, 180_000);

  it('does not act on tmp/secret.txt for an event keyed tmp%2Fsecret.txt when tmp/** is excluded', async () => {
    // Prepare
    env.emu.oss.state.putObject(BUCKET, 'tmp/secret.txt', 'secret', { sse: null });
    const copies = env.emu.oss.faults.count('CopyObject');
    const event = ossEvent({ bucket: BUCKET, key: 'tmp%2Fsecret.txt' });

    // Act
    const summary = await guardObjects(env.deps(), { policy, events: event });

    // Assess
    expect(summary.findings).toEqual([]);
    expect(summary.skipped).toEqual([
      expect.objectContaining({
        kind: 'out-of-scope',
        reason: expect.stringMatching(/"tmp\/secret\.txt".*excluded/),
      }),
    ]);
    expect(env.emu.oss.faults.count('CopyObject')).toBe(copies);
    const secret = env.emu.oss.state.getObject(BUCKET, 'tmp/secret.txt');
    expect(secret?.body.toString()).toBe('secret');
    expect(secret?.sse ?? null).toBeNull();
  });

  it('treats keys /, // and %2F as bad or missing events, never as a retryable failure', async () => {
    // Prepare
    const event = ossEvent(
      { bucket: BUCKET, key: '/' },
      { bucket: BUCKET, key: '//' },
      { bucket: BUCKET, key: '%2F' },
    );

    // Act
    const summary = await guardObjects(env.deps(), { policy, events: event });

    // Assess
    expect(summary.retryableFailure).toBe(false);
    expect(summary.skipped.map((s) => [s.kind, s.reason])).toEqual([
      ['invalid', 'events[0]: oss.object.key starts with "/" or "\\", which no OSS object name can'],
      ['invalid', 'events[1]: oss.object.key starts with "/" or "\\", which no OSS object name can'],
    ]);
    expect(summary.findings.map((f) => [f.key, f.verdict])).toEqual([['%2F', 'missing']]);
  });

  it('answers an event for a 300-dot key against *.*.*.*.*.tmp in a bounded number of steps', async () => {
    // Prepare
    const dots = `${'.'.repeat(300)}tmp`;
    const long = `${'a.'.repeat(511)}x`;
    env.emu.oss.state.putObject(BUCKET, dots, 'x', { sse: null });

    // Act
    const summary = await guardObjects(env.deps(), {
      policy,
      events: ossEvent(recordFor(env.emu, BUCKET, dots)),
    });
    const onDots = globMatchSteps('*.*.*.*.*.tmp', dots);
    const onLong = globMatchSteps('*.*.*.*.*.tmp', long);

    // Assess: the automaton takes at most (states x characters) steps; a backtracking regex takes ~n^5.
    expect(summary.skipped).toEqual([expect.objectContaining({ kind: 'out-of-scope' })]);
    expect(onDots.matched).toBe(true);
    expect(onDots.steps).toBeLessThanOrEqual(onDots.states * dots.length);
    expect(long).toHaveLength(1023);
    expect(onLong.matched).toBe(false);
    expect(onLong.steps).toBeLessThanOrEqual(onLong.states * long.length);
    expect(onLong.steps).toBeLessThan(30_000);
  });
});

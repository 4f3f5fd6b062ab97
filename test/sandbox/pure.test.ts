/**
 * The sandbox's pure parts: EventBridge event patterns (EventBridge "Event patterns": exact values, a list
 * matches any entry, nested objects, prefix / suffix / anything-but / exists), OSS trigger event types
 * with wildcards (fc3 OSSTriggerConfig `events`, e.g. `oss:ObjectCreated:*`), timer expressions
 * (TimerTriggerConfig `cronExpression`: six-field cron with seconds, UTC; `@every 4m`), and s.yaml
 * rendered the same by Serverless Devs' `s preview` and by the local renderer.
 */
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../emulator/sandbox/event-pattern.js';
import { loadDeployedShape } from '../../emulator/sandbox/s-yaml.js';
import { nextFiring, timerEvent } from '../../emulator/sandbox/timers.js';
import { eventMatches } from '../../emulator/sandbox/wiring.js';
import { apiCall, bucketCreated } from '../fixtures/eventbridge/builders.js';

const ACCOUNT = '1234567890123456';
// s.yaml's own patterns (vars.bucketCreatedPattern, vars.encryptionChangedPattern).
const CREATED = { source: ['acs.oss'], type: ['oss:BucketCreated:PutBucket'] };
const CHANGED = {
  source: ['acs.oss'],
  type: ['oss:ActionTrail:ApiCall'],
  data: { eventName: ['PutBucketEncryption', 'DeleteBucketEncryption'] },
};

describe('EventBridge event patterns', () => {
  it("matches s.yaml's patterns exactly, field by field, nested under data", () => {
    // Prepare
    const created = bucketCreated({ bucket: 'b1', accountId: ACCOUNT });
    const deleted = apiCall({ operation: 'DeleteBucketEncryption', bucket: 'b1', accountId: ACCOUNT });
    const tagged = apiCall({ operation: 'PutBucketTagging', bucket: 'b1', accountId: ACCOUNT });

    // Act / Assess
    expect(matchesPattern(CREATED, created)).toBe(true);
    expect(matchesPattern(CHANGED, created)).toBe(false);
    expect(matchesPattern(CHANGED, deleted)).toBe(true);
    expect(matchesPattern(CHANGED, tagged)).toBe(false);
  });

  it('supports prefix, suffix, anything-but and exists entries', () => {
    const e = { source: 'acs.oss', subject: 'acs:oss:cn-hangzhou:1:prod-logs', data: { eventName: 'X' } };
    expect(matchesPattern({ subject: [{ prefix: 'acs:oss:cn-hangzhou' }] }, e)).toBe(true);
    expect(matchesPattern({ subject: [{ suffix: ':dev-logs' }] }, e)).toBe(false);
    expect(matchesPattern({ source: [{ 'anything-but': ['acs.ecs'] }] }, e)).toBe(true);
    expect(matchesPattern({ source: [{ 'anything-but': 'acs.oss' }] }, e)).toBe(false);
    expect(matchesPattern({ data: { errorCode: [{ exists: false }] } }, e)).toBe(true);
    expect(matchesPattern({ data: { eventName: [{ exists: true }] } }, e)).toBe(true);
    expect(matchesPattern({ data: { eventName: [{ numeric: ['>', 0] }] } }, e)).toBe(false);
  });
});

describe('OSS trigger events', () => {
  it('matches event types exactly or with a wildcard', () => {
    expect(eventMatches(['oss:ObjectCreated:PutObject'], 'oss:ObjectCreated:PutObject')).toBe(true);
    expect(eventMatches(['oss:ObjectCreated:PutObject'], 'oss:ObjectCreated:CopyObject')).toBe(false);
    expect(eventMatches(['oss:ObjectCreated:*'], 'oss:ObjectCreated:CopyObject')).toBe(true);
    expect(eventMatches(['oss:ObjectRemoved:*'], 'oss:ObjectCreated:PutObject')).toBe(false);
  });
});

describe('timer expressions', () => {
  it('reads six-field cron with seconds in UTC, CRON_TZ, and @every', () => {
    const at = new Date('2026-12-01T23:50:00Z');
    expect(nextFiring('0 0 */6 * * *', at).toISOString()).toBe('2026-12-02T00:00:00.000Z');
    expect(nextFiring('0 0 4 * * *', at).toISOString()).toBe('2026-12-02T04:00:00.000Z');
    expect(nextFiring('CRON_TZ=Asia/Shanghai 0 0 8 * * *', at).toISOString()).toBe(
      '2026-12-02T00:00:00.000Z',
    );
    expect(nextFiring('@every 4m', at).toISOString()).toBe('2026-12-01T23:54:00.000Z');
    expect(nextFiring('@every 1h30m', at).toISOString()).toBe('2026-12-02T01:20:00.000Z');
  });

  it('delivers the documented timer event, time in whole seconds', () => {
    const e = JSON.parse(timerEvent('scheduled-audit', new Date('2026-12-02T00:00:00.123Z'), 'p').toString());
    expect(e).toEqual({ triggerTime: '2026-12-02T00:00:00Z', triggerName: 'scheduled-audit', payload: 'p' });
  });
});

describe('s.yaml rendering', () => {
  it('gives the same functions and triggers through s preview and the local renderer', () => {
    // Act
    const opts = {
      path: 's.yaml',
      accountId: ACCOUNT,
      env: { OSS_SSE_GUARD_WEBHOOK_URL: 'http://127.0.0.1:9/a' },
    };
    const devs = loadDeployedShape({ ...opts, renderer: 'serverless-devs' });
    const local = loadDeployedShape({ ...opts, renderer: 'local' });

    // Assess
    expect(devs.renderer).toBe('serverless-devs');
    expect(local.functions).toEqual(devs.functions);
    const guard = devs.functions.find((f) => f.resource === 'upload-guard');
    expect(guard?.env.OSS_SSE_GUARD_POLICY).toBe(`oss://oss-sse-guard-${ACCOUNT}/policy.yaml`);
    expect(guard?.env.OSS_SSE_GUARD_WEBHOOK_URL).toBe('http://127.0.0.1:9/a');
    expect(guard?.triggers[0]).toMatchObject({
      type: 'oss',
      bucket: 'my-uploads-bucket',
      accountId: ACCOUNT,
    });
    expect(JSON.stringify(devs.functions)).not.toContain('${');
  });
});

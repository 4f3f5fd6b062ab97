/**
 * The bucket watch in process, against the OSS and KMS emulators with the real SDK gateways: one event
 * fixes a bucket created without encryption, a deleted rule is restored, an exempt bucket is left alone,
 * the echo of our own change is a no-op, and a burst of events for one bucket makes at most one change.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStore } from '../../shared/report/store.js';
import { BucketCoalescer, OwnAccessKeys } from '../../shared/watch/coalesce.js';
import type { RunOutcome, WatchReport } from '../../shared/watch/types.js';
import { type WatchDeps, watchEvents } from '../../shared/watch/watch.js';
import { apiCall, bucketCreated, DOC, payload, roleIdentity } from '../fixtures/eventbridge/builders.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';

const AES_POLICY = 'version: 1\ndefaults: { sse: { algorithm: AES256 }, remediate: true }\n';

let world: World;
let account: string;
beforeEach(async () => {
  world = await startWorld();
  account = world.emu.accountId;
});
afterEach(async () => {
  await world.close();
});

const puts = () => world.emu.oss.faults.count('PutBucketEncryption');
const deps = (extra: Partial<WatchDeps> = {}): WatchDeps => ({ ...world.runtime, ...extra });
const input = (events: Buffer | string, policy = AES_POLICY, dryRun = false) => ({
  policy: policyOf(policy),
  events,
  accountId: account,
  dryRun,
  requestId: 'req-1',
});
const logsWith = (msg: string) => world.logs.filter((l) => l.msg === msg);

describe('bucket watch', () => {
  it('fixes a bucket created without encryption from one PutBucket event, timing it from the event', async () => {
    // Prepare: the event happened at T; the injected clock reads T + 1.5 s for the whole run, so the
    // latency is exact and does not depend on how busy the machine is.
    world.emu.oss.state.createBucket('new-bucket', 'cn-shanghai');
    const eventTime = new Date('2026-12-02T08:00:00.000Z');
    const clock = { now: () => new Date(eventTime.getTime() + 1500) };
    const event = bucketCreated({
      bucket: 'new-bucket',
      region: 'cn-shanghai',
      accountId: account,
      time: eventTime,
    });

    // Act
    const summary = await watchEvents(deps({ clock }), input(payload(event)));

    // Assess
    expect(world.emu.oss.state.getBucket('new-bucket')?.encryption).toEqual({ algorithm: 'AES256' });
    expect(puts()).toBe(1);
    expect(summary).toMatchObject({ events: 1, changesApplied: 1, retryableFailure: false });
    const [result] = summary.results;
    expect(result).toMatchObject({
      status: 'remediated',
      changed: true,
      operation: 'PutBucket',
      ownChange: false,
    });
    expect(result?.eventToCompliantMs).toBe(1500);
    const line = logsWith('bucket change handled')[0];
    expect(line).toMatchObject({
      bucket: 'new-bucket',
      status: 'remediated',
      eventToCompliantMs: result?.eventToCompliantMs,
    });
    expect(logsWith('bucket watch done')[0]?.eventToCompliantMs).toEqual([result?.eventToCompliantMs]);
  });

  it('restores the CMK rule a user deleted, with KMS pre-flight, and stores the run report', async () => {
    // Prepare
    const key = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    world.emu.kms.state.createAlias('alias/prod', key.keyId, 'cn-hangzhou');
    world.emu.oss.state.createBucket('prod-orders', 'cn-hangzhou', {
      encryption: { algorithm: 'KMS', kmsMasterKeyId: key.keyId },
    });
    const policy = `version: 1
rules:
  - { id: prod, buckets: ["prod-*"], sse: { algorithm: KMS, kmsKeyId: alias/prod }, remediate: true }
`;
    await world.runtime.oss.deleteBucketEncryption({ name: 'prod-orders', region: 'cn-hangzhou' });
    const dir = await mkdtemp(join(tmpdir(), 'watch-'));
    const event = apiCall({ operation: 'DeleteBucketEncryption', bucket: 'prod-orders', accountId: account });

    // Act
    const summary = await watchEvents(deps({ store: new LocalStore(dir) }), input(payload(event), policy));

    // Assess
    expect(world.emu.oss.state.getBucket('prod-orders')?.encryption).toEqual({
      algorithm: 'KMS',
      kmsMasterKeyId: key.keyId,
    });
    expect(summary.results[0]).toMatchObject({
      status: 'remediated',
      ruleId: 'prod',
      actor: { userName: 'Alice' },
    });
    const report = JSON.parse(await readFile(join(dir, 'req-1-e0.json'), 'utf8')) as WatchReport;
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ bucket: 'prod-orders', status: 'remediated' });
    expect(report.trigger).toMatchObject({ kind: 'bucket-watch', operation: 'DeleteBucketEncryption' });
    expect(report.trigger.eventToCompliantMs).toBe(summary.results[0]?.eventToCompliantMs);
  });

  // KMS API reference (DescribeKey, error codes): `Throttling` is answered with HTTP 400, so the retry
  // decision must read the code, not only the status, or Function Compute never retries the event.
  it('asks for a retry when KMS throttles the key check (HTTP 400 Throttling)', async () => {
    // Prepare
    const key = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    world.emu.oss.state.createBucket('prod-ledger', 'cn-hangzhou', {
      encryption: { algorithm: 'KMS', kmsMasterKeyId: key.keyId },
    });
    world.emu.kms.faults.set('DescribeKey', { throttleRate: 1 });
    const policy = `version: 1
rules:
  - { id: prod, buckets: ["prod-*"], sse: { algorithm: KMS, kmsKeyId: ${key.keyId} }, remediate: true }
`;
    const event = apiCall({ operation: 'PutBucketEncryption', bucket: 'prod-ledger', accountId: account });

    // Act
    const summary = await watchEvents(deps(), input(payload(event), policy));

    // Assess
    expect(summary.results[0]).toMatchObject({ status: 'error', changed: false });
    expect(summary.retryableFailure).toBe(true);
    expect(puts()).toBe(0);
  });

  it('leaves an exempt bucket alone', async () => {
    // Prepare
    world.emu.oss.state.createBucket('legacy-archive', 'cn-hangzhou');
    const policy = `${AES_POLICY}rules:\n  - { id: legacy, buckets: ["legacy-*"], exempt: { reason: "SEC-42" } }\n`;
    const event = apiCall({
      operation: 'DeleteBucketEncryption',
      bucket: 'legacy-archive',
      accountId: account,
    });

    // Act
    const summary = await watchEvents(deps(), input(payload(event), policy));

    // Assess
    expect(summary.results[0]).toMatchObject({ status: 'exempt', changed: false, ruleId: 'legacy' });
    expect(summary.results[0]).not.toHaveProperty('eventToCompliantMs');
    expect(world.emu.oss.state.getBucket('legacy-archive')?.encryption).toBeNull();
    expect(puts()).toBe(0);
  });

  it('treats the echo of its own PutBucketEncryption as compliant, nothing to do', async () => {
    // Prepare: a first event is remediated; ActionTrail then reports our own call, signed with our key.
    world.emu.oss.state.createBucket('echo-bucket', 'cn-hangzhou');
    const ownKeys = new OwnAccessKeys();
    ownKeys.remember(world.emu.credentials.accessKeyId);
    const first = apiCall({ operation: 'DeleteBucketEncryption', bucket: 'echo-bucket', accountId: account });
    await watchEvents(deps({ ownKeys }), input(payload(first)));
    const before = puts();
    const echo = apiCall({
      operation: 'PutBucketEncryption',
      bucket: 'echo-bucket',
      accountId: account,
      identity: roleIdentity(world.emu.credentials.accessKeyId, account),
    });

    // Act
    const summary = await watchEvents(deps({ ownKeys }), input(payload(echo)));

    // Assess
    expect(before).toBe(1);
    expect(puts()).toBe(before);
    expect(summary.results[0]).toMatchObject({ status: 'compliant', changed: false, ownChange: true });
    expect(logsWith('own change event')).toHaveLength(1);
    expect(logsWith('own change event')[0]).toMatchObject({ bucket: 'echo-bucket', ownChange: true });
  });

  it('makes at most one change for a burst of five events on one bucket', async () => {
    // Prepare: slow reads so the five invocations overlap for certain.
    world.emu.oss.state.createBucket('busy-bucket', 'cn-hangzhou');
    world.emu.oss.faults.set('GetBucketEncryption', { latencyMs: 30 });
    const coalescer = new BucketCoalescer<RunOutcome>();
    const events = [0, 1, 2, 3, 4].map(() =>
      apiCall({ operation: 'DeleteBucketEncryption', bucket: 'busy-bucket', accountId: account }),
    );

    // Act: five invocations of one instance at once, as a burst delivers them.
    const summaries = await Promise.all(
      events.map((e) => watchEvents(deps({ coalescer }), input(payload(e)))),
    );

    // Assess
    expect(puts()).toBe(1);
    expect(summaries.reduce((n, s) => n + s.changesApplied, 0)).toBe(1);
    const results = summaries.flatMap((s) => s.results);
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(results.filter((r) => r.coalesced)).toHaveLength(3);
    expect(results.every((r) => r.status === 'remediated' || r.status === 'compliant')).toBe(true);
    // One run (read, re-read right before the change, apply, read back) and one follow-up (read): the
    // burst never reached five audits.
    expect(world.emu.oss.faults.count('GetBucketEncryption')).toBe(4);
    expect(world.emu.oss.state.getBucket('busy-bucket')?.encryption).toEqual({ algorithm: 'AES256' });
  });

  it('ignores malformed and foreign events with a clear log line, without a cloud call', async () => {
    // Prepare
    world.emu.oss.state.createBucket('mine', 'cn-hangzhou');
    const theirs = apiCall({
      operation: 'DeleteBucketEncryption',
      bucket: 'mine',
      accountId: '9999999999999999',
    });
    const logging = apiCall({ operation: 'PutBucketLogging', bucket: 'mine', accountId: account });

    // Act
    const summaries = [
      await watchEvents(deps(), input('{"id": ')),
      await watchEvents(deps(), input(payload(DOC.overview, theirs, logging))),
    ];

    // Assess
    expect(summaries.map((s) => s.ignoredByKind)).toEqual([
      { malformed: 1, 'foreign-service': 0, 'foreign-account': 0, 'not-handled': 0, 'failed-call': 0 },
      { malformed: 0, 'foreign-service': 1, 'foreign-account': 1, 'not-handled': 1, 'failed-call': 0 },
    ]);
    expect(summaries.every((s) => s.results.length === 0 && !s.retryableFailure)).toBe(true);
    expect(world.emu.oss.faults.count('GetBucketEncryption')).toBe(0);
    const reasons = logsWith('event ignored').map((l) => `${l.kind}: ${l.reason}`);
    expect(reasons).toEqual([
      expect.stringMatching(/^malformed: event is not JSON/),
      'foreign-service: event[0] (aliyuncvc:MeetingEvent:MemberOperate): source "acs:aliyuncvc" is not acs.oss',
      expect.stringMatching(
        /^foreign-account: event\[1\] .*aliyunaccountid "9999999999999999" is not this account/,
      ),
      expect.stringMatching(/^not-handled: event\[2\] .*"PutBucketLogging" is not PutBucketEncryption/),
    ]);
  });

  it('reports a bucket deleted before it could be read as gone, without asking for a retry', async () => {
    // Prepare
    const event = bucketCreated({ bucket: 'short-lived', accountId: account });

    // Act
    const summary = await watchEvents(deps(), input(payload(event)));

    // Assess
    expect(summary.results[0]).toMatchObject({ status: 'gone', changed: false });
    expect(summary.retryableFailure).toBe(false);
  });

  it('asks for a retry when OSS keeps throttling the read', async () => {
    // Prepare
    world.emu.oss.state.createBucket('throttled', 'cn-hangzhou');
    world.emu.oss.faults.set('GetBucketEncryption', { throttleRate: 1 });
    const event = apiCall({ operation: 'DeleteBucketEncryption', bucket: 'throttled', accountId: account });

    // Act
    const summary = await watchEvents(deps(), input(payload(event)));

    // Assess
    expect(summary.results[0]).toMatchObject({ status: 'error' });
    expect(summary.retryableFailure).toBe(true);
    expect(puts()).toBe(0);
  });

  it('changes nothing in a dry run and says what it would do', async () => {
    // Prepare
    world.emu.oss.state.createBucket('dry-bucket', 'cn-hangzhou');
    const event = bucketCreated({ bucket: 'dry-bucket', accountId: account });

    // Act
    const summary = await watchEvents(deps(), input(payload(event), AES_POLICY, true));

    // Assess
    expect(summary.results[0]).toMatchObject({ status: 'would-remediate', changed: false });
    expect(puts()).toBe(0);
  });
});

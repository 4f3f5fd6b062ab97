/**
 * The backfill's pure parts and its local store: key-range boundaries, the checkpoint chain check, event
 * and setting parsing, and the create-once primitive of the local store.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeSegments } from '../../shared/backfill/aggregate.js';
import { backfillRequestOf, fcTargetFromEnv, parseWorkerJob } from '../../shared/backfill/payload.js';
import { pickBoundaries, rangesFrom } from '../../shared/backfill/plan.js';
import { LocalRunStore } from '../../shared/backfill/store.js';
import { emptyCounts, type Segment, type ShardSpec } from '../../shared/backfill/types.js';

/** Function Compute "trigger event formats", timer trigger, with a backfill request as its payload. */
const TIMER_EVENT = JSON.stringify({
  triggerTime: '2018-02-09T05:49:00Z',
  triggerName: 'timer-trigger',
  payload: '{"mode":"backfill","bucket":"logs-prod","shards":4}',
});

const inRange = (s: ShardSpec, k: string) =>
  (s.after === undefined || k > s.after) && (s.until === undefined || k <= s.until);

function segment(seq: number, from: string, next: string, done: boolean): Segment {
  return {
    shardId: 'b.000',
    seq,
    token: 't',
    attempt: 'a',
    from,
    next,
    done,
    counts: emptyCounts(),
    findings: [],
  };
}

describe('key ranges', () => {
  it('cover every key exactly once, whatever the boundaries', () => {
    // Prepare
    const keys = Array.from({ length: 500 }, (_, i) => `k/${(i * 7919) % 1000}/${i % 13 === 0 ? '' : 'x'}`);
    const boundaries = pickBoundaries(['k/3', 'k/1', 'k/5/', 'k/1', 'zzz', 'k/7'], 4);

    // Act
    const shards = rangesFrom({ bucket: 'b', region: 'cn-hangzhou' }, boundaries);

    // Assess
    expect(boundaries).toEqual(['k/3', 'k/5/', 'k/7']);
    expect(shards.map((s) => s.id)).toEqual(['b.000', 'b.001', 'b.002', 'b.003']);
    for (const k of keys) expect(shards.filter((s) => inRange(s, k))).toHaveLength(1);
  });

  it('are split evenly by count from a sorted sample', () => {
    // Act
    const cuts = pickBoundaries(
      Array.from({ length: 100 }, (_, i) => `obj-${String(i).padStart(3, '0')}`),
      4,
    );

    // Assess
    expect(cuts).toEqual(['obj-025', 'obj-050', 'obj-075']);
    expect(pickBoundaries(['a'], 1)).toEqual([]);
  });
});

describe('checkpoint chain', () => {
  it('merges segments that follow each other and refuses a gap', () => {
    // Prepare
    const shard: ShardSpec = { id: 'b.000', bucket: 'b', region: 'cn-hangzhou', after: 'a' };
    const chain = [segment(0, 'a', 'c', false), segment(1, 'c', 'f', true)];
    const gap = [segment(0, 'a', 'c', false), segment(1, 'd', 'f', true)];

    // Act
    const merged = mergeSegments(shard, chain);

    // Assess
    expect(merged).toMatchObject({ shardId: 'b.000', segments: 2 });
    expect(() => mergeSegments(shard, gap)).toThrow(/expected "c"/);
    expect(() => mergeSegments(shard, [segment(0, 'a', 'c', false)])).toThrow(/not done/);
  });
});

describe('events and settings', () => {
  it('reads a backfill request from an invoke event or a timer payload, and ignores a plain timer', () => {
    // Act
    const invoked = backfillRequestOf(
      Buffer.from('{"mode":"backfill","bucket":["a-1","b-2"],"remediate":true}'),
    );
    const timed = backfillRequestOf(TIMER_EVENT);
    const plain = backfillRequestOf(
      '{"triggerTime":"2018-02-09T05:49:00Z","triggerName":"t","payload":"awesome-fc"}',
    );

    // Assess
    expect(invoked).toMatchObject({ bucket: ['a-1', 'b-2'], remediate: true });
    expect(timed).toMatchObject({ bucket: 'logs-prod', shards: 4, remediate: false });
    expect(plain).toBeUndefined();
    expect(() => backfillRequestOf('{"mode":"backfill","bucket":"Bad_Name","shard":3}')).toThrow(
      /bucket: must be a bucket name; shard: unknown key/,
    );
  });

  it('refuses a worker event that is not a job', () => {
    expect(() => parseWorkerJob('{"kind":"oss-sse-guard.backfill-worker","runId":"r"}')).toThrow(
      /backfill worker event: location: is required/,
    );
  });

  it('reaches the worker through FC 3.0 by default, and through a service only when told to', () => {
    // Act
    const fc3 = fcTargetFromEnv({});
    const fc2 = fcTargetFromEnv({ OSS_SSE_GUARD_FC_API: '2016-08-15', OSS_SSE_GUARD_FC_SERVICE: 'guard' });

    // Assess
    expect(fc3).toEqual({ apiVersion: '2023-03-30', functionName: 'oss-sse-guard-backfill-worker' });
    expect(fc2).toMatchObject({ apiVersion: '2016-08-15', service: 'guard' });
    expect(() => fcTargetFromEnv({ OSS_SSE_GUARD_FC_API: '2016-08-15' })).toThrow(/needs the service name/);
    expect(() => fcTargetFromEnv({ OSS_SSE_GUARD_FC_API: '2020-01-01' })).toThrow(
      /must be 2023-03-30 or 2016-08-15/,
    );
  });
});

describe('local run store', () => {
  it('creates a file once however many try at the same time', async () => {
    // Prepare
    const store = new LocalRunStore(await mkdtemp(join(tmpdir(), 'backfill-store-')));

    // Act
    const created = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.create('x/lock', `owner ${i}`)),
    );

    // Assess
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await store.read('x/lock')).toBe(`owner ${created.indexOf(true)}`);
    expect(await store.list('x')).toEqual(['lock']);
    expect(await store.read('x/none')).toBeUndefined();
  });
});

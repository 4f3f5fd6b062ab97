/**
 * The adaptive concurrency limit (AIMD): bounded concurrency in arrival order, halving on throttling once
 * per episode, additive probing while saturated. Calls are deferred promises settled by the test, so no
 * clock is involved.
 */
import { describe, expect, it } from 'vitest';
import { AdaptiveLimit, isThrottling } from '../../shared/cloud/adaptive-limit.js';

interface Deferred {
  promise: Promise<string>;
  resolve: (v: string) => void;
  reject: (e: unknown) => void;
}

function deferred(): Deferred {
  let resolve: (v: string) => void = () => {};
  let reject: (e: unknown) => void = () => {};
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets queued promise callbacks run (no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const THROTTLED = Object.assign(new Error('MetaOperationQpsLimitExceeded'), { status: 503 });

/** Starts `n` calls through `limit`; returns their controls, the order they started in, and their outcomes. */
function startCalls(limit: AdaptiveLimit, n: number) {
  const calls = Array.from({ length: n }, deferred);
  const started: number[] = [];
  const outcomes = calls.map((c, i) =>
    limit
      .run(() => {
        started.push(i);
        return c.promise;
      })
      .then(
        (v) => ({ ok: true as const, v }),
        (e: unknown) => ({ ok: false as const, e }),
      ),
  );
  return { calls, started, outcomes };
}

describe('AdaptiveLimit', () => {
  it('runs at most `limit` calls at once and the rest in arrival order', async () => {
    // Prepare
    const limit = new AdaptiveLimit({ max: 3, isThrottle: isThrottling });
    const { calls, started } = startCalls(limit, 6);
    await settle();
    const firstWave = [...started];

    // Act
    calls[1]?.resolve('b');
    calls[0]?.resolve('a');
    await settle();

    // Assess
    expect(firstWave).toEqual([0, 1, 2]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(limit.inFlight).toBe(3);
    expect(limit.queued).toBe(1);
  });

  it('passes results and errors through unchanged', async () => {
    // Prepare
    const limit = new AdaptiveLimit({ max: 2, isThrottle: isThrottling });
    const boom = new Error('AccessDenied');

    // Act
    const ok = await limit.run(async () => 'value');
    const failed = await limit.run(() => Promise.reject(boom)).catch((e: unknown) => e);

    // Assess
    expect(ok).toBe('value');
    expect(failed).toBe(boom);
    expect(limit.limit).toBe(2);
    expect(limit.stats).toMatchObject({ successes: 1, throttles: 0, decreases: 0 });
  });

  it('halves the calls in flight when one is throttled', async () => {
    // Prepare
    const limit = new AdaptiveLimit({ max: 8, isThrottle: isThrottling });
    const { calls, outcomes } = startCalls(limit, 8);
    await settle();

    // Act
    calls[0]?.reject(THROTTLED);
    await settle();

    // Assess
    expect(limit.limit).toBe(4);
    expect((await outcomes[0])?.ok).toBe(false);
    expect(limit.stats).toMatchObject({ throttles: 1, decreases: 1, lowest: 4 });
  });

  it('cuts once for a burst of throttled calls that all started before the cut', async () => {
    // Prepare
    const limit = new AdaptiveLimit({ max: 16, isThrottle: isThrottling });
    const { calls } = startCalls(limit, 16);
    await settle();

    // Act
    for (const c of calls) c.reject(THROTTLED);
    await settle();

    // Assess
    expect(limit.limit).toBe(8);
    expect(limit.stats).toMatchObject({ throttles: 16, decreases: 1 });
  });

  it('cuts again when a call started after the cut is throttled too', async () => {
    // Prepare
    const limit = new AdaptiveLimit({ max: 8, isThrottle: isThrottling });
    const { calls, started } = startCalls(limit, 12);
    await settle();
    calls[0]?.reject(THROTTLED);
    await settle();
    // Four calls still run (limit 4): finish them so calls started after the cut take their place.
    for (const i of [1, 2, 3, 4, 5, 6, 7]) calls[i]?.resolve('ok');
    await settle();
    const afterCut = started.filter((i) => i >= 8);

    // Act
    calls[8]?.reject(THROTTLED);
    await settle();

    // Assess
    expect(afterCut.length).toBeGreaterThan(0);
    expect(limit.stats.decreases).toBe(2);
    expect(limit.limit).toBeLessThan(4);
  });

  it('probes up by about one per round trip of successes while calls wait', async () => {
    // Prepare
    const limit = new AdaptiveLimit({ max: 10, initial: 4, isThrottle: isThrottling });
    const { calls } = startCalls(limit, 20);
    await settle();

    // Act: one round trip at full use (4 successes), with more calls waiting.
    for (const i of [0, 1, 2, 3]) calls[i]?.resolve('ok');
    await settle();

    // Assess
    expect(limit.limit).toBe(5);
    expect(limit.inFlight).toBe(5);
  });

  it('does not grow while the limit holds nothing back', async () => {
    // Prepare
    const limit = new AdaptiveLimit({ max: 10, initial: 4, isThrottle: isThrottling });

    // Act: one call at a time, never more than the limit.
    for (let i = 0; i < 20; i += 1) await limit.run(async () => i);

    // Assess
    expect(limit.limit).toBe(4);
    expect(limit.stats.successes).toBe(20);
  });

  it('stays within min and max', async () => {
    // Prepare
    const limit = new AdaptiveLimit({ max: 3, min: 2, isThrottle: isThrottling });
    const grown = startCalls(limit, 40);
    await settle();

    // Act
    for (const c of grown.calls) {
      c.resolve('ok');
      await settle();
    }
    const afterGrowth = limit.limit;
    for (let i = 0; i < 5; i += 1) await limit.run(() => Promise.reject(THROTTLED)).catch(() => undefined);

    // Assess
    expect(afterGrowth).toBe(3);
    expect(limit.limit).toBe(2);
    expect(limit.stats.lowest).toBe(2);
  });

  it('leaves the limit alone on errors that are not throttling', async () => {
    // Prepare
    const limit = new AdaptiveLimit({ max: 4, isThrottle: isThrottling });
    const serverError = Object.assign(new Error('InternalError'), { status: 500 });

    // Act
    await limit.run(() => Promise.reject(serverError)).catch(() => undefined);

    // Assess
    expect(limit.limit).toBe(4);
    expect(limit.stats.throttles).toBe(0);
  });

  it('refuses options that cannot work, naming the option', () => {
    // Prepare
    const isThrottle = isThrottling;

    // Act
    const attempts = [
      () => new AdaptiveLimit({ max: 0, isThrottle }),
      () => new AdaptiveLimit({ max: 2.5, isThrottle }),
      () => new AdaptiveLimit({ max: 4, min: 5, isThrottle }),
      () => new AdaptiveLimit({ max: 4, backoff: 1, isThrottle }),
      () => new AdaptiveLimit({ max: 4, increase: -1, isThrottle }),
    ];

    // Assess
    expect(attempts[0]).toThrow(/max must be a positive integer, got 0/);
    expect(attempts[1]).toThrow(/max must be a positive integer, got 2.5/);
    expect(attempts[2]).toThrow(/min \(5\) exceeds max \(4\)/);
    expect(attempts[3]).toThrow(/backoff must be below 1/);
    expect(attempts[4]).toThrow(/increase must be a positive number/);
  });
});

describe('isThrottling', () => {
  it('treats 503 and 429 as throttling, anything else not', () => {
    // Prepare
    const cases: Array<[unknown, boolean]> = [
      [{ status: 503, code: 'MetaOperationQpsLimitExceeded' }, true],
      [{ status: 429 }, true],
      [{ status: 500 }, false],
      [{ status: -1 }, false],
      [new Error('plain'), false],
      [null, false],
      [undefined, false],
    ];

    // Act
    const results = cases.map(([err]) => isThrottling(err));

    // Assess
    expect(results).toEqual(cases.map(([, expected]) => expected));
  });
});

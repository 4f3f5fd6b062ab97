import { describe, expect, it } from 'vitest';
import { mapBounded, mapPaged } from '../../shared/pool.js';

const tick = () => new Promise<void>((r) => setTimeout(r, 1));

async function* pages<T>(all: T[][], between?: () => void): AsyncGenerator<T[]> {
  for (const p of all) {
    await tick();
    between?.();
    yield p;
  }
}

describe('bounded mapping', () => {
  it('keeps at most `concurrency` calls in flight and results in input order', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    const fn = async (n: number) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, (n * 7) % 5));
      inFlight -= 1;
      return n * 2;
    };

    // Act
    const out = await mapBounded(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      fn,
    );

    // Assess
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    expect(peak).toBe(4);
  });

  it('starts work on the first page before the listing ends, and reports the count once', async () => {
    // Prepare
    const started: number[] = [];
    let pagesDelivered = 0;
    let startedBeforeLastPage = 0;
    const listed: number[] = [];

    // Act
    const out = await mapPaged(
      pages([[1, 2, 3], [4, 5], [6]], () => {
        pagesDelivered += 1;
      }),
      2,
      async (item, index) => {
        started.push(item);
        if (pagesDelivered < 3) startedBeforeLastPage += 1;
        await tick();
        return `${index}:${item}`;
      },
      { onListed: (n) => listed.push(n) },
    );

    // Assess
    expect(out).toEqual(['0:1', '1:2', '2:3', '3:4', '4:5', '5:6']);
    expect(startedBeforeLastPage).toBeGreaterThan(0);
    expect(listed).toEqual([6]);
  });

  it('rejects when listing fails, before later items run', async () => {
    // Prepare
    async function* failing(): AsyncGenerator<number[]> {
      yield [1];
      throw new Error('ListBuckets failed');
    }
    const seen: number[] = [];

    // Act
    const result = mapPaged(failing(), 2, async (n) => {
      seen.push(n);
      return n;
    });

    // Assess
    await expect(result).rejects.toThrow('ListBuckets failed');
    expect(seen.length).toBeLessThanOrEqual(1);
  });
});

describe('memoKms', () => {
  it('describes each key once per region and asks again after a failure', async () => {
    // Prepare
    const { memoKms } = await import('../../shared/audit/preflight.js');
    const calls: string[] = [];
    let fail = true;
    const kms = memoKms({
      async describeKey(ref, region) {
        calls.push(`${region}|${ref}`);
        if (ref === 'flaky' && fail) {
          fail = false;
          throw new Error('throttled');
        }
        return { keyId: ref, arn: `acs:kms:${region}:1:key/${ref}`, state: 'Enabled', region };
      },
    });

    // Act
    await Promise.all([kms.describeKey('k', 'cn-hangzhou'), kms.describeKey('k', 'cn-hangzhou')]);
    await kms.describeKey('k', 'cn-beijing');
    await kms.describeKey('flaky', 'cn-hangzhou').catch(() => undefined);
    const second = await kms.describeKey('flaky', 'cn-hangzhou');

    // Assess
    expect(calls).toEqual(['cn-hangzhou|k', 'cn-beijing|k', 'cn-hangzhou|flaky', 'cn-hangzhou|flaky']);
    expect(second.state).toBe('Enabled');
  });
});

/**
 * The per-bucket coalescer, pure: runs for one key never overlap, a burst becomes one run plus one
 * follow-up, other keys run in parallel, and a failed run does not wedge the key.
 */
import { describe, expect, it } from 'vitest';
import { BucketCoalescer, OwnAccessKeys } from '../../shared/watch/coalesce.js';

/** A promise the test settles by hand. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('BucketCoalescer', () => {
  it('turns a burst of five calls for one key into one run and one follow-up, never overlapping', async () => {
    // Prepare
    const c = new BucketCoalescer<number>();
    const first = gate();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const task = (wait?: Promise<void>) => async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      runs += 1;
      const n = runs;
      await wait;
      running -= 1;
      return n;
    };

    // Act
    const calls = [c.run('b', task(first.opened)), ...[1, 2, 3, 4].map(() => c.run('b', task()))];
    first.open();
    const results = await Promise.all(calls);

    // Assess
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
    expect(results).toEqual([
      { value: 1, joined: false },
      { value: 2, joined: false },
      { value: 2, joined: true },
      { value: 2, joined: true },
      { value: 2, joined: true },
    ]);
    expect(c.inFlight).toBe(0);
  });

  it('runs different keys at the same time', async () => {
    // Prepare
    const c = new BucketCoalescer<string>();
    const hold = gate();
    const started: string[] = [];
    const task = (k: string) => async () => {
      started.push(k);
      await hold.opened;
      return k;
    };

    // Act
    const a = c.run('a', task('a'));
    const b = c.run('b', task('b'));
    await new Promise((r) => setTimeout(r, 1));
    const startedBeforeRelease = [...started];
    hold.open();

    // Assess
    expect(startedBeforeRelease).toEqual(['a', 'b']);
    expect((await a).value).toBe('a');
    expect((await b).value).toBe('b');
  });

  it('passes a failure to every caller sharing the run, then runs the key again', async () => {
    // Prepare
    const c = new BucketCoalescer<string>();
    const hold = gate();
    const first = c.run('k', async () => {
      await hold.opened;
      return 'first';
    });
    const failing = c.run('k', async () => {
      throw new Error('throttled');
    });
    const joined = c.run('k', async () => 'never runs');

    // Act
    hold.open();
    const outcomes = await Promise.allSettled([first, failing, joined]);
    const after = await c.run('k', async () => 'again');

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(after).toEqual({ value: 'again', joined: false });
    expect(c.inFlight).toBe(0);
  });
});

describe('OwnAccessKeys', () => {
  it('remembers the most recent access key ids and forgets the oldest', () => {
    // Prepare
    const keys = new OwnAccessKeys(2);

    // Act
    for (const id of ['STS.a', 'STS.b', 'STS.b', 'STS.c']) keys.remember(id);

    // Assess
    expect([keys.has('STS.a'), keys.has('STS.b'), keys.has('STS.c'), keys.has(undefined)]).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });
});

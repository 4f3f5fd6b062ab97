/**
 * Burst safety within one Function Compute instance: audits of the same bucket never overlap, and events
 * that arrive while one runs are coalesced into a single follow-up audit.
 *
 * Why one follow-up and not zero: an event that arrives during a run may describe a change made after that
 * run read the bucket, so one more audit (which re-reads) is needed; every further event in the meantime
 * is covered by that same follow-up, which has not read yet. Five events for one bucket in a second thus
 * cause at most two audits, and the second finds the bucket as the first left it: at most one change.
 *
 * Across instances nothing is shared; there the audit's own re-read keeps concurrent runs from fighting
 * (both read, both would apply the same policy target; see docs/deploy.md).
 */

interface Slot<T> {
  running: Promise<T>;
  pending?: Promise<T>;
}

/** The result of a coalesced run, and whether this caller joined a run another caller started. */
export interface Shared<T> {
  value: T;
  joined: boolean;
}

const ignore = () => undefined;

/** Per-key serialisation with coalescing: keep one per instance (module scope in the handler). */
export class BucketCoalescer<T> {
  private readonly slots = new Map<string, Slot<T>>();

  /** Keys with a run in progress or queued (for tests and logs). */
  get inFlight(): number {
    return this.slots.size;
  }

  /**
   * Runs `task` for `key` now if nothing runs for it; otherwise after the running one, unless a follow-up
   * is already queued, which this call then joins (its own `task` is dropped). A rejected run rejects every
   * caller that shares it.
   */
  run(key: string, task: () => Promise<T>): Promise<Shared<T>> {
    const slot = this.slots.get(key);
    if (!slot) {
      const fresh: Slot<T> = { running: Promise.resolve() as Promise<never> };
      this.slots.set(key, fresh);
      fresh.running = this.track(key, fresh, task);
      return fresh.running.then((value) => ({ value, joined: false }));
    }
    if (slot.pending) return slot.pending.then((value) => ({ value, joined: true }));
    const pending = slot.running.then(ignore, ignore).then(() => {
      slot.pending = undefined;
      slot.running = this.track(key, slot, task);
      return slot.running;
    });
    slot.pending = pending;
    return pending.then((value) => ({ value, joined: false }));
  }

  private track(key: string, slot: Slot<T>, task: () => Promise<T>): Promise<T> {
    const run = Promise.resolve().then(task);
    const release = () => {
      // Only the last run of a slot frees it; a queued follow-up keeps it.
      if (this.slots.get(key) === slot && slot.running === run && !slot.pending) this.slots.delete(key);
    };
    run.then(release, release);
    return run;
  }
}

/**
 * The access key ids this instance has called OSS with (the function role's STS keys rotate), so that an
 * ActionTrail event of our own PutBucketEncryption is recognised in logs. Bounded: the oldest are dropped.
 */
export class OwnAccessKeys {
  private readonly ids: string[] = [];
  constructor(private readonly max = 16) {}

  remember(id: string | undefined): void {
    if (!id || this.ids.includes(id)) return;
    this.ids.push(id);
    if (this.ids.length > this.max) this.ids.shift();
  }

  has(id: string | undefined): boolean {
    return id !== undefined && this.ids.includes(id);
  }
}

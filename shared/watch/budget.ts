/**
 * The remediation cap across one bucket-watch invocation. `maxRemediationsPerRun` bounds the changes a
 * run makes; the watch starts one single-bucket run per changed bucket, so the cap must span all of them
 * (100 DeleteBucketEncryption events under a cap of 1 give one PutBucketEncryption, not 100). A run takes
 * one unit before it may change anything and gives it back when it changed nothing; while every unit is
 * held by a run in flight, the next run waits for one of them to finish instead of being refused early.
 */
export class RemediationBudget {
  private remaining: number;
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  constructor(limit: number) {
    this.remaining = Math.max(0, limit);
  }

  /** Takes one unit: true when the run may change its bucket, false when the cap is spent. */
  async acquire(): Promise<boolean> {
    for (;;) {
      if (this.remaining > 0) {
        this.remaining -= 1;
        this.inFlight += 1;
        return true;
      }
      if (this.inFlight === 0) return false;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Ends a run that held a unit: a run that changed nothing gives its unit back. */
  release(changed: boolean): void {
    this.inFlight -= 1;
    if (!changed) this.remaining += 1;
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }
}

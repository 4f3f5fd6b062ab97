/**
 * The policy, loaded once per Function Compute instance and reloaded when its reference changes. A failed
 * load is not kept, so the next invocation tries again (a policy object being uploaded, a transient 5xx).
 */
import { type LoadedPolicy, loadPolicy, type ObjectTextReader } from './load.js';

/** One loaded policy per instance, keyed by its reference. */
export class PolicyCache {
  private entry: { ref: string; value: Promise<LoadedPolicy> } | undefined;

  /** The policy for `ref` (OSS_SSE_GUARD_POLICY), loading it when the reference is new. */
  get(ref: string | undefined, readObject: ObjectTextReader): Promise<LoadedPolicy> {
    const key = ref ?? '';
    if (this.entry?.ref !== key) {
      const loading = loadPolicy(ref, readObject);
      const entry = { ref: key, value: loading };
      loading.catch(() => {
        if (this.entry === entry) this.entry = undefined;
      });
      this.entry = entry;
    }
    return this.entry.value;
  }
}

/**
 * The store of one organization run under the report location (`<location>/org/<runId>/`): the fan-out's
 * create-once files and the index of member change journals.
 */
import { type RunStore, runStore } from '../backfill/store.js';
import type { Runtime } from '../runtime.js';

/** The run store of `runId` under the report location. */
export function orgRunStore(location: string, runId: string, runtime: Pick<Runtime, 'oss'>): RunStore {
  return runStore(location, runId, runtime.oss, 'org');
}

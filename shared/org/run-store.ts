/**
 * The store of one organization run under the report location (`<location>/org/<runId>/`): the fan-out's
 * create-once files and the index of member change journals.
 */
import { join } from 'node:path';
import { LocalRunStore, OssRunStore, type RunStore } from '../backfill/store.js';
import { ConfigError } from '../errors.js';
import { ossLocation } from '../ram/types.js';
import type { Runtime } from '../runtime.js';

/** The run store of `runId` under the report location. */
export function orgRunStore(location: string, runId: string, runtime: Pick<Runtime, 'oss'>): RunStore {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(runId))
    throw new ConfigError(`Organization run id "${runId}" is not valid`);
  const loc = ossLocation(location);
  if (!loc) return new LocalRunStore(join(location, 'org', runId));
  const prefix = loc.key.replace(/^\/+|\/+$/g, '');
  return new OssRunStore(runtime.oss, loc.bucket, `${prefix ? `${prefix}/` : ''}org/${runId}`);
}

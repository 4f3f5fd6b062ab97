/**
 * Where a backfill run keeps its files: `<location>/backfill/<runId>/` in OSS (`oss://bucket/prefix`) or in
 * a local folder (`--local`), in the one file store (shared/store/). Besides reads and writes, the run
 * needs one primitive: create a file only if it does not exist yet, atomically (the store's `create`).
 * Claims, checkpoint segments, the aggregate lock and the aggregate itself are all created that way, so
 * two workers can never both believe they wrote the same one.
 *
 * OSS ignores `x-oss-forbid-overwrite` in a bucket with versioning enabled or suspended, so the
 * coordinator refuses such a report bucket (see `checkUnversioned`).
 */
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { SseConfig } from '../model.js';
import { ossLocation } from '../ram/types.js';
import type { FileStore } from '../store/files.js';
import { LocalFiles } from '../store/local.js';
import { type StoreGateway as FilesGateway, OssFiles } from '../store/oss.js';
import { RUN_ID } from './types.js';

export { checkUnversioned } from '../store/oss.js';

/** The run's files, wherever they live (the file store, without streams). */
export type RunStore = Pick<FileStore, 'location' | 'read' | 'write' | 'create' | 'list'>;

/** What a backfill needs of OSS: the gateway (its run files, the guard's object calls, listing, inventories). */
export type StoreGateway = FilesGateway;

/** Run files in OSS, encrypted; create-once through `x-oss-forbid-overwrite`. */
export class OssRunStore extends OssFiles {
  constructor(
    oss: FilesGateway,
    bucket: string,
    base: string,
    // Run files hold object names and findings: evidence, stored encrypted like the reports.
    sse: SseConfig = { algorithm: 'AES256' },
  ) {
    super(oss, bucket, base, { sse });
  }
}

/** Run files in a local folder (`--local`); create-once through a hard link. */
export class LocalRunStore extends LocalFiles {}

/** Which run files a store holds, and what its run ids are called in an error. */
const AREAS = { backfill: 'Backfill', org: 'Organization' } as const;

/**
 * The store of run `runId` under a report location: `<location>/<area>/<runId>/` (`area` is `backfill`
 * or `org`); `oss://bucket/prefix` needs the OSS gateway.
 */
export function runStore(
  location: string,
  runId: string,
  oss?: FilesGateway,
  area: keyof typeof AREAS = 'backfill',
): RunStore {
  if (!RUN_ID.test(runId)) throw new ConfigError(`${AREAS[area]} run id "${runId}" is not valid`);
  const loc = ossLocation(location);
  if (!loc) return new LocalRunStore(join(location, area, runId));
  if (!oss) throw new ConfigError(`Report location ${location} needs an OSS client`);
  const prefix = loc.key.replace(/^\/+|\/+$/g, '');
  return new OssRunStore(oss, loc.bucket, `${prefix ? `${prefix}/` : ''}${area}/${runId}`);
}

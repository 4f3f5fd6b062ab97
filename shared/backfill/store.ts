/**
 * Where a backfill run keeps its files: `<location>/backfill/<runId>/` in OSS (`oss://bucket/prefix`) or in
 * a local folder (`--local`). Besides reads and writes, the run needs one primitive: create a file only if
 * it does not exist yet, atomically. In OSS that is a PutObject with `x-oss-forbid-overwrite: true` (409
 * FileAlreadyExists when the key exists); locally, a hard link of a fully written temporary file (EEXIST).
 * Claims, checkpoint segments, the aggregate lock and the aggregate itself are all created that way, so
 * two workers can never both believe they wrote the same one.
 *
 * OSS ignores `x-oss-forbid-overwrite` in a bucket with versioning enabled or suspended, so the
 * coordinator refuses such a report bucket (see `checkUnversioned`).
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ObjectGateway } from '../cloud/oss-objects.js';
import { CloudError, ConfigError } from '../errors.js';
import type { SseConfig } from '../model.js';
import { ossLocation } from '../ram/types.js';
import { ObjectLister } from './list-objects.js';

/** The run's files, wherever they live. */
export interface RunStore {
  /** Where the run lives, for people: `oss://bucket/prefix/backfill/<runId>/` or a folder. */
  readonly location: string;
  /** A file's text; `undefined` when there is no such file. */
  read(path: string): Promise<string | undefined>;
  write(path: string, text: string): Promise<void>;
  /** Creates the file unless it exists; `false` when it already did (nothing written). */
  create(path: string, text: string): Promise<boolean>;
  /** Names (relative to `dir`) of the files directly in `dir`. */
  list(dir: string): Promise<string[]>;
}

/** What the OSS store needs from `OssGateway`. */
export interface StoreGateway extends ObjectGateway {
  putObject(
    bucket: string,
    key: string,
    body: Buffer,
    opts?: { contentType?: string; sse?: SseConfig; forbidOverwrite?: boolean; region?: string },
  ): Promise<unknown>;
  getObjectText(bucket: string, key: string, region?: string): Promise<string>;
  getObjectBounded(bucket: string, key: string, maxBytes: number): Promise<{ bytes: Buffer; size: number }>;
  bucketRegion(bucket: string): Promise<string>;
}

/** Run files in OSS, encrypted; create-once through `x-oss-forbid-overwrite`. */
export class OssRunStore implements RunStore {
  private readonly base: string;
  private readonly lister: ObjectLister;

  constructor(
    private readonly oss: StoreGateway,
    private readonly bucket: string,
    base: string,
    // Run files hold object names and findings: evidence, stored encrypted like the reports.
    private readonly sse: SseConfig = { algorithm: 'AES256' },
  ) {
    this.base = base.replace(/^\/+|\/+$/g, '');
    this.lister = new ObjectLister(oss);
  }

  get location(): string {
    return `oss://${this.bucket}/${this.base}/`;
  }

  private key(path: string): string {
    return `${this.base}/${path}`;
  }

  async read(path: string): Promise<string | undefined> {
    try {
      return await this.oss.getObjectText(this.bucket, this.key(path));
    } catch (err) {
      if (err instanceof CloudError && (err.code === 'NoSuchKey' || err.status === 404)) return undefined;
      throw err;
    }
  }

  async write(path: string, text: string): Promise<void> {
    await this.oss.putObject(this.bucket, this.key(path), Buffer.from(text), {
      contentType: 'application/json',
      sse: this.sse,
    });
  }

  async create(path: string, text: string): Promise<boolean> {
    try {
      await this.oss.putObject(this.bucket, this.key(path), Buffer.from(text), {
        contentType: 'application/json',
        sse: this.sse,
        forbidOverwrite: true,
      });
      return true;
    } catch (err) {
      if (err instanceof CloudError && err.status === 409 && err.code === 'FileAlreadyExists') return false;
      throw err;
    }
  }

  async list(dir: string): Promise<string[]> {
    const region = await this.oss.bucketRegion(this.bucket);
    const prefix = `${this.key(dir).replace(/\/+$/, '')}/`;
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await this.lister.page(
        { bucket: this.bucket, region },
        { prefix, marker, delimiter: '/' },
      );
      names.push(...page.objects.map((o) => o.key.slice(prefix.length)));
      marker = page.nextMarker;
    } while (marker);
    return names;
  }
}

/** Run files in a local folder (`--local`); create-once through a hard link. */
export class LocalRunStore implements RunStore {
  constructor(private readonly dir: string) {}

  get location(): string {
    return this.dir;
  }

  async read(path: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.dir, path), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Writes a temporary file next to the target, so a reader never sees half a file. */
  private async temp(full: string, text: string): Promise<string> {
    await mkdir(dirname(full), { recursive: true });
    const tmp = `${full}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, text);
    return tmp;
  }

  async write(path: string, text: string): Promise<void> {
    const full = join(this.dir, path);
    await rename(await this.temp(full, text), full);
  }

  async create(path: string, text: string): Promise<boolean> {
    const full = join(this.dir, path);
    const tmp = await this.temp(full, text);
    try {
      // link() fails with EEXIST when the target exists: an atomic create-if-absent of a complete file.
      await link(tmp, full);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async list(dir: string): Promise<string[]> {
    try {
      const entries = await readdir(join(this.dir, dir), { withFileTypes: true });
      return entries
        .filter((e) => e.isFile() && !e.name.endsWith('.tmp'))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}

/** The store of run `runId` under a report location (`oss://bucket/prefix` needs the OSS gateway). */
export function runStore(location: string, runId: string, oss?: StoreGateway): RunStore {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(runId)) throw new ConfigError(`Backfill run id "${runId}" is not valid`);
  const loc = ossLocation(location);
  if (!loc) return new LocalRunStore(join(location, 'backfill', runId));
  if (!oss) throw new ConfigError(`Report location ${location} needs an OSS client`);
  const prefix = loc.key.replace(/^\/+|\/+$/g, '');
  return new OssRunStore(oss, loc.bucket, `${prefix ? `${prefix}/` : ''}backfill/${runId}`);
}

interface VersioningClient {
  getBucketVersioning(bucket: string): Promise<{ versionStatus?: string }>;
}

/**
 * Refuses a report bucket with versioning: OSS ignores `x-oss-forbid-overwrite` there, so the run's
 * create-once files (claims, segments, the aggregate lock) would silently stop being exclusive.
 */
export async function checkUnversioned(oss: StoreGateway, location: string): Promise<void> {
  const loc = ossLocation(location);
  if (!loc) return;
  const region = await oss.bucketRegion(loc.bucket);
  const client = oss.client(region) as VersioningClient;
  const res = await oss.call(`Bucket "${loc.bucket}" (${region}): GetBucketVersioning`, () =>
    client.getBucketVersioning(loc.bucket),
  );
  const status = res.versionStatus?.trim();
  if (status === 'Enabled' || status === 'Suspended') {
    throw new ConfigError(
      `Report location ${location}: bucket "${loc.bucket}" has versioning ${status}; a backfill needs an unversioned bucket for its reports (OSS ignores x-oss-forbid-overwrite under versioning, and the run relies on it to aggregate exactly once)`,
    );
  }
}

/**
 * The file store under an OSS prefix (`oss://bucket/prefix`). Every file is written encrypted (reports
 * and run files are evidence; default SSE-OSS). Create-only is a PutObject with `x-oss-forbid-overwrite:
 * true` (409 FileAlreadyExists when the key exists). OSS ignores that header in a bucket with versioning
 * enabled or suspended, so whoever relies on create-only checks the bucket first (`checkUnversioned`).
 */

import type { OssGateway } from '../cloud/oss.js';
import { ObjectLister } from '../cloud/oss-listing.js';
import { CloudError, ConfigError } from '../errors.js';
import type { SseConfig } from '../model.js';
import { ossLocation } from '../ram/types.js';
import { type FileBody, type FileStore, JSON_TYPE } from './files.js';

/** What the OSS store needs: the gateway (its object data calls, and its lister for `list`). */
export type StoreGateway = OssGateway;

export interface OssFilesOptions {
  /** Default SSE-OSS (`AES256`). */
  sse?: SseConfig;
  /** Epoch ms no write may outlive (a function's deadline: the report is written within it). */
  deadline?: number;
}

const noSuchKey = (err: unknown) => err instanceof CloudError && err.code === 'NoSuchKey';

export class OssFiles implements FileStore {
  private readonly prefix: string;
  private readonly sse: SseConfig;

  constructor(
    private readonly oss: StoreGateway,
    private readonly bucket: string,
    prefix: string,
    private readonly opts: OssFilesOptions = {},
  ) {
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
    this.sse = opts.sse ?? { algorithm: 'AES256' };
  }

  get location(): string {
    return `oss://${this.bucket}/${this.prefix ? `${this.prefix}/` : ''}`;
  }

  private key(path: string): string {
    return this.prefix ? `${this.prefix}/${path}` : path;
  }

  async read(path: string): Promise<string | undefined> {
    try {
      return await this.oss.getObjectText(this.bucket, this.key(path));
    } catch (err) {
      if (noSuchKey(err) || (err instanceof CloudError && err.status === 404)) return undefined;
      throw err;
    }
  }

  async readStream(path: string): Promise<AsyncIterable<Buffer> | undefined> {
    try {
      return await this.oss.getObjectStream(this.bucket, this.key(path));
    } catch (err) {
      if (noSuchKey(err)) return undefined;
      throw err;
    }
  }

  async write(path: string, body: FileBody, contentType = JSON_TYPE): Promise<string> {
    const key = this.key(path);
    // Pieces are streamed (chunked PutObject), never joined into one Buffer.
    await this.oss.putObject(this.bucket, key, typeof body === 'string' ? Buffer.from(body) : body, {
      contentType,
      sse: this.sse,
      ...(this.opts.deadline === undefined ? {} : { deadline: this.opts.deadline }),
    });
    return `oss://${this.bucket}/${key}`;
  }

  async create(path: string, text: string): Promise<boolean> {
    try {
      await this.oss.putObject(this.bucket, this.key(path), Buffer.from(text), {
        contentType: JSON_TYPE,
        sse: this.sse,
        forbidOverwrite: true,
      });
      return true;
    } catch (err) {
      if (err instanceof CloudError && err.status === 409 && err.code === 'FileAlreadyExists') return false;
      throw err;
    }
  }

  /** In key order, as OSS lists them. */
  async list(dir: string): Promise<string[]> {
    const region = await this.oss.bucketRegion(this.bucket);
    const prefix = `${this.key(dir).replace(/\/+$/, '')}/`;
    const lister = new ObjectLister(this.oss);
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await lister.page({ bucket: this.bucket, region }, { prefix, marker, delimiter: '/' });
      names.push(...page.objects.map((o) => o.key.slice(prefix.length)));
      marker = page.nextMarker;
    } while (marker);
    return names;
  }
}

/**
 * Refuses a bucket with versioning for files that must be create-only: OSS ignores
 * `x-oss-forbid-overwrite` there, so claims, segments, leases would silently stop being exclusive.
 */
export async function checkUnversioned(oss: StoreGateway, location: string) {
  const loc = ossLocation(location);
  if (!loc) return;
  const region = await oss.bucketRegion(loc.bucket);
  const status = await new ObjectLister(oss).versioning({ bucket: loc.bucket, region });
  if (status === 'Enabled' || status === 'Suspended') {
    throw new ConfigError(
      `Report location ${location}: bucket "${loc.bucket}" has versioning ${status}; a backfill needs an unversioned bucket for its reports (OSS ignores x-oss-forbid-overwrite under versioning, and the run relies on it to aggregate exactly once)`,
    );
  }
}

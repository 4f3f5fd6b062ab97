/**
 * Where reports live: a local folder (`<dir>/<runId>.<ext>`, `<dir>/latest.json`) or an OSS location
 * `oss://bucket/prefix` (`prefix/YYYY/MM/DD/<runId>.<ext>`, `prefix/latest.json`), written encrypted.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { OssGateway } from '../cloud/oss.js';
import { CloudError } from '../errors.js';
import type { Report, SseConfig } from '../model.js';
import { ossLocation } from '../ram/types.js';
import { writeFileAtomic } from '../safety/atomic-file.js';
import { type ReadReportOptions, readReport, reportFromText } from './read-report.js';

/**
 * A file's content: the text, or a function giving it in pieces (e.g. `() => renderChunks(report, f)`).
 * The function is called once per attempt (a retried upload sends the whole text again), so each call
 * must give the whole text afresh; with pieces, no store holds the whole text at once.
 */
export type ReportBody = string | (() => Iterable<string>);

export interface ReportStore {
  /** Human-readable location, e.g. `reports/` or `oss://bucket/prefix/`. */
  readonly location: string;
  /**
   * The previous run's report (`latest.json`) as drift compares against it: checked against the schema
   * in full, but without its own `drift` and `alerts` records. Undefined when there is none or it is not
   * a valid report. With `findings`, each finding is handed there as it is read and none is kept
   * (see `ReadReportOptions.findings`: drop them when the result is undefined).
   */
  readLatest(opts?: LatestOptions): Promise<Report | undefined>;
  /** Where a run's file goes, relative to the store. */
  runPath(report: Report, ext: string): string;
  latestPath(): string;
  /** Writes one file; returns its full location. */
  write(path: string, content: ReportBody, contentType: string): Promise<string>;
}

export type LatestOptions = Pick<ReadReportOptions, 'findings'>;

/** A stored report, or undefined when the text is not a valid schemaVersion 1 report. */
export function parseReport(text: string | undefined): Report | undefined {
  return text ? reportFromText(text) : undefined;
}

export class LocalStore implements ReportStore {
  constructor(private readonly dir: string) {}
  get location() {
    return this.dir;
  }
  async readLatest(opts: LatestOptions = {}): Promise<Report | undefined> {
    try {
      // Streamed: the previous report is as large as this run's (~36 MB of JSON at 100,000 buckets).
      return await readReport(createReadStream(join(this.dir, this.latestPath())), {
        ...opts,
        skipRecords: true,
      });
    } catch {
      return undefined;
    }
  }
  runPath(report: Report, ext: string) {
    return `${report.runId}.${ext}`;
  }
  latestPath() {
    return 'latest.json';
  }
  async write(path: string, content: ReportBody): Promise<string> {
    const full = join(this.dir, path);
    // Atomic (temporary file, fsync, rename): a kill or a full disk never leaves `latest.json` half written.
    await writeFileAtomic(full, typeof content === 'string' ? content : content());
    return full;
  }
}

export class OssStore implements ReportStore {
  private readonly prefix: string;
  constructor(
    private readonly oss: OssGateway,
    private readonly bucket: string,
    prefix: string,
    private readonly sse: SseConfig = { algorithm: 'AES256' },
    /** Epoch ms no write may outlive (a function's deadline: the report is written within it). */
    private readonly deadline?: number,
  ) {
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
  }
  get location() {
    return `oss://${this.bucket}/${this.prefix ? `${this.prefix}/` : ''}`;
  }
  private key(path: string) {
    return this.prefix ? `${this.prefix}/${path}` : path;
  }
  async readLatest(opts: LatestOptions = {}): Promise<Report | undefined> {
    try {
      // Streamed: the previous report is as large as this run's (~36 MB of JSON at 100,000 buckets).
      const stream = await this.oss.getObjectStream(this.bucket, this.key(this.latestPath()));
      return await readReport(stream, { ...opts, skipRecords: true });
    } catch (err) {
      if (err instanceof CloudError && err.code === 'NoSuchKey') return undefined;
      throw err;
    }
  }
  runPath(report: Report, ext: string) {
    const [y, m, d] = report.startedAt.slice(0, 10).split('-');
    return `${y}/${m}/${d}/${report.runId}.${ext}`;
  }
  latestPath() {
    return 'latest.json';
  }
  async write(path: string, content: ReportBody, contentType: string): Promise<string> {
    const key = this.key(path);
    // Pieces are streamed (chunked PutObject), never joined into one Buffer.
    const body = typeof content === 'string' ? Buffer.from(content) : content;
    await this.oss.putObject(this.bucket, key, body, {
      contentType,
      sse: this.sse,
      ...(this.deadline === undefined ? {} : { deadline: this.deadline }),
    });
    return `oss://${this.bucket}/${key}`;
  }
}

/** A store for a location string: `oss://bucket/prefix` (needs the OSS gateway) or a local folder. */
export function storeFor(location: string, oss?: OssGateway, opts: { deadline?: number } = {}): ReportStore {
  const loc = ossLocation(location);
  if (!loc) return new LocalStore(location);
  if (!oss) throw new Error(`report location ${location} needs an OSS client`);
  return new OssStore(oss, loc.bucket, loc.key, undefined, opts.deadline);
}

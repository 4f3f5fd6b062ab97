/**
 * Where reports live: a local folder (`<dir>/<runId>.<ext>`, `<dir>/latest.json`) or an OSS location
 * `oss://bucket/prefix` (`prefix/YYYY/MM/DD/<runId>.<ext>`, `prefix/latest.json`), written encrypted.
 * The files themselves are the one file store's (shared/store/); this module owns the layout and how the
 * previous report is read back.
 */
import type { OssGateway } from '../cloud/oss.js';
import type { Report, SseConfig } from '../model.js';
import { ossLocation } from '../ram/types.js';
import type { FileBody, FileStore } from '../store/files.js';
import { LocalFiles } from '../store/local.js';
import { OssFiles } from '../store/oss.js';
import { type ReadReportOptions, readReport, reportFromText } from './read-report.js';

/** A report file's content: the text, or a function giving it in pieces (see `FileBody`). */
export type ReportBody = FileBody;

export type LatestOptions = Pick<ReadReportOptions, 'findings'>;

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

/** A stored report, or undefined when the text is not a valid schemaVersion 1 report. */
export function parseReport(text: string | undefined): Report | undefined {
  return text ? reportFromText(text) : undefined;
}

/** Reports in a file store; the subclasses say where a run's files go. */
abstract class StoredReports implements ReportStore {
  constructor(private readonly files: FileStore) {}
  get location() {
    return this.files.location;
  }
  abstract runPath(report: Report, ext: string): string;
  latestPath() {
    return 'latest.json';
  }
  async readLatest(opts: LatestOptions = {}): Promise<Report | undefined> {
    // Streamed: the previous report is as large as this run's (~36 MB of JSON at 100,000 buckets).
    const stream = await this.files.readStream(this.latestPath());
    return stream ? readReport(stream, { ...opts, skipRecords: true }) : undefined;
  }
  write(path: string, content: ReportBody, contentType?: string): Promise<string> {
    return this.files.write(path, content, contentType);
  }
}

export class LocalStore extends StoredReports {
  constructor(dir: string) {
    super(new LocalFiles(dir));
  }
  /** Locally, a latest.json that cannot be read at all is no baseline (as an absent one). */
  override readLatest(opts?: LatestOptions): Promise<Report | undefined> {
    return super.readLatest(opts).catch(() => undefined);
  }
  runPath(report: Report, ext: string) {
    return `${report.runId}.${ext}`;
  }
}

export class OssStore extends StoredReports {
  constructor(
    oss: OssGateway,
    bucket: string,
    prefix: string,
    sse: SseConfig = { algorithm: 'AES256' },
    /** Epoch ms no write may outlive (a function's deadline: the report is written within it). */
    deadline?: number,
  ) {
    super(new OssFiles(oss, bucket, prefix, { sse, ...(deadline === undefined ? {} : { deadline }) }));
  }
  runPath(report: Report, ext: string) {
    const [y, m, d] = report.startedAt.slice(0, 10).split('-');
    return `${y}/${m}/${d}/${report.runId}.${ext}`;
  }
}

/** A store for a location string: `oss://bucket/prefix` (needs the OSS gateway) or a local folder. */
export function storeFor(location: string, oss?: OssGateway, opts: { deadline?: number } = {}): ReportStore {
  const loc = ossLocation(location);
  if (!loc) return new LocalStore(location);
  if (!oss) throw new Error(`report location ${location} needs an OSS client`);
  return new OssStore(oss, loc.bucket, loc.key, undefined, opts.deadline);
}

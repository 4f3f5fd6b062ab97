/**
 * Where reports live: a local folder (`<dir>/<runId>.<ext>`, `<dir>/latest.json`) or an OSS location
 * `oss://bucket/prefix` (`prefix/YYYY/MM/DD/<runId>.<ext>`, `prefix/latest.json`), written encrypted.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { OssGateway } from '../cloud/oss.js';
import { CloudError } from '../errors.js';
import type { Report, SseConfig } from '../model.js';
import { ossLocation } from '../ram/types.js';
import { reportSchema } from './report-schema.js';

export interface ReportStore {
  /** Human-readable location, e.g. `reports/` or `oss://bucket/prefix/`. */
  readonly location: string;
  /** The previous run's report (`latest.json`), or undefined when there is none or it is unreadable. */
  readLatest(): Promise<Report | undefined>;
  /** Where a run's file goes, relative to the store. */
  runPath(report: Report, ext: string): string;
  latestPath(): string;
  /** Writes one file; returns its full location. */
  write(path: string, content: string, contentType: string): Promise<string>;
}

/** A stored report, or undefined when the text is not a valid schemaVersion 1 report. */
export function parseReport(text: string | undefined): Report | undefined {
  if (!text) return undefined;
  try {
    const parsed = reportSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as Report) : undefined;
  } catch {
    return undefined;
  }
}

export class LocalStore implements ReportStore {
  constructor(private readonly dir: string) {}
  get location() {
    return this.dir;
  }
  async readLatest(): Promise<Report | undefined> {
    try {
      return parseReport(await readFile(join(this.dir, this.latestPath()), 'utf8'));
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
  async write(path: string, content: string): Promise<string> {
    const full = join(this.dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
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
  ) {
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
  }
  get location() {
    return `oss://${this.bucket}/${this.prefix ? `${this.prefix}/` : ''}`;
  }
  private key(path: string) {
    return this.prefix ? `${this.prefix}/${path}` : path;
  }
  async readLatest(): Promise<Report | undefined> {
    try {
      return parseReport(await this.oss.getObjectText(this.bucket, this.key(this.latestPath())));
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
  async write(path: string, content: string, contentType: string): Promise<string> {
    const key = this.key(path);
    await this.oss.putObject(this.bucket, key, Buffer.from(content), { contentType, sse: this.sse });
    return `oss://${this.bucket}/${key}`;
  }
}

/** A store for a location string: `oss://bucket/prefix` (needs the OSS gateway) or a local folder. */
export function storeFor(location: string, oss?: OssGateway): ReportStore {
  const loc = ossLocation(location);
  if (!loc) return new LocalStore(location);
  if (!oss) throw new Error(`report location ${location} needs an OSS client`);
  return new OssStore(oss, loc.bucket, loc.key);
}

/**
 * Reading one delivered inventory data file: GetObject as a stream, gunzip, CSV (csv-parse), one row at
 * a time, so a file of millions of rows is never held whole. Columns are named by the manifest's
 * `fileSchema`; the Key column is URL-encoded (user guide "Bucket inventory") and decoded here.
 *
 * A reader keeps its position: a worker opens the file once per invocation, skips to its checkpoint (the
 * number of rows already consumed) and then takes a page at a time.
 */
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import type { OssInventory } from '../cloud/oss-inventory.js';
import { BackfillError } from './errors.js';
import type { InventoryFile } from './types.js';

/** One row, the columns the backfill reads. */
export interface InventoryRow {
  /** 0-based row number in the file. */
  index: number;
  key: string;
  /** Quoted, as ListObjects gives ETags; '' when the column is absent. */
  etag: string;
  size: number;
  /** The EncryptionStatus column as written (`true` / `false`), or undefined when absent. */
  encryption?: string;
  /** False for a non-current version or a delete marker (`IncludedObjectVersions: All` inventories). */
  current: boolean;
}

function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Column positions, by name (`fileSchema` is comma-separated, spaces allowed). */
function columns(schema: string[]): (name: string) => number {
  const at = new Map(schema.map((c, i) => [c.trim(), i]));
  return (name) => at.get(name) ?? -1;
}

/** The rows of one inventory file, in order. */
export class InventoryRows {
  private pos = 0;
  private ahead: string[] | undefined;
  private ended = false;

  private constructor(
    private readonly it: AsyncIterator<string[]>,
    private readonly file: InventoryFile,
  ) {}

  /** Opens the file (one GetObject) for reading from its first row. */
  static async open(inv: OssInventory, file: InventoryFile): Promise<InventoryRows> {
    const body = await inv.open({ name: file.bucket, region: file.region }, file.key);
    const gunzip = createGunzip();
    const parser = parse({ relax_column_count: true });
    // The body is a Node stream from ali-oss; errors anywhere end the iteration with that error.
    const source = body as unknown as NodeJS.ReadableStream;
    source.on('error', (err: Error) => gunzip.destroy(err));
    gunzip.on('error', (err: Error) => parser.destroy(err));
    source.pipe(gunzip).pipe(parser);
    return new InventoryRows(parser[Symbol.asyncIterator]() as AsyncIterator<string[]>, file);
  }

  private async next(): Promise<string[] | undefined> {
    if (this.ahead) {
      const r = this.ahead;
      this.ahead = undefined;
      return r;
    }
    if (this.ended) return undefined;
    let r: IteratorResult<string[]>;
    try {
      r = await this.it.next();
    } catch (cause) {
      throw new BackfillError(
        `Inventory file "${this.file.key}" in bucket "${this.file.bucket}" could not be read`,
        {
          cause,
        },
      );
    }
    if (r.done) {
      this.ended = true;
      return undefined;
    }
    return r.value;
  }

  /** Rows consumed so far. */
  get position(): number {
    return this.pos;
  }

  /** Skips forward to row `n` (a checkpoint); throws if the file is shorter. */
  async skipTo(n: number): Promise<void> {
    while (this.pos < n) {
      if ((await this.next()) === undefined) {
        throw new BackfillError(
          `Inventory file "${this.file.key}" has ${this.pos} rows; the checkpoint says ${n}`,
        );
      }
      this.pos += 1;
    }
  }

  /** Up to `n` more rows; `end` once the file has no more. */
  async take(n: number): Promise<{ rows: InventoryRow[]; end: boolean }> {
    const col = columns(this.file.schema);
    const [k, e, s, enc, latest, marker] = [
      'Key',
      'ETag',
      'Size',
      'EncryptionStatus',
      'IsLatest',
      'IsDeleteMarker',
    ].map(col);
    if ((k ?? -1) < 0)
      throw new BackfillError(`Inventory file "${this.file.key}": its schema has no Key column`);
    const rows: InventoryRow[] = [];
    while (rows.length < n) {
      const cells = await this.next();
      if (cells === undefined) break;
      const cell = (i: number | undefined) => (i !== undefined && i >= 0 ? (cells[i] ?? '') : undefined);
      const etag = cell(e);
      const status = cell(enc);
      rows.push({
        index: this.pos,
        key: decodeKey(cell(k) ?? ''),
        etag: etag ? `"${etag.replace(/^"|"$/g, '')}"` : '',
        size: Number(cell(s) ?? 0) || 0,
        ...(status !== undefined ? { encryption: status } : {}),
        current: cell(latest) !== 'false' && cell(marker) !== 'true',
      });
      this.pos += 1;
    }
    if (rows.length === n && !this.ended) this.ahead = await this.next();
    return { rows, end: this.ahead === undefined && (this.ended || rows.length < n) };
  }
}

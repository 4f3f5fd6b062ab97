/**
 * Publishing a run: compare with the previous report (drift), write every format, a SHA-256 manifest of the run's files, and `latest.json`
 * last, so a failed run never replaces the previous baseline. Each file is rendered in pieces straight
 * into the store and hashed on the way: a 100,000-bucket run (~90 MB of text over all formats) never
 * holds a whole file as one string or Buffer. Alerting is not the publisher's: the audit job computes the
 * drift first, notifies, and hands both here (shared/audit/publish-run.ts).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Report } from '../model.js';
import { type Drift, driftBuilder } from './drift.js';
import { MANIFEST_EXTENSION, type ManifestEntry, manifestText } from './manifest.js';
import { EXTENSIONS, type Format, renderChunks } from './render.js';
import type { ReportStore } from './store.js';

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  [MANIFEST_EXTENSION]: 'text/plain; charset=utf-8',
};

export interface PublishOptions {
  store: ReportStore;
  formats: readonly Format[];
  /** The drift, when the caller computed it already (to alert on it before writing); else computed here. */
  drift?: Drift;
  logger?: Logger;
}

export interface Published {
  report: Report;
  written: string[];
}

/** Pieces joined into strings of about `size` characters: fewer writes, hash updates and HTTP chunks. */
function* batched(chunks: Iterable<string>, size = 64 * 1024): Generator<string> {
  let parts: string[] = [];
  let length = 0;
  for (const c of chunks) {
    parts.push(c);
    length += c.length;
    if (length >= size) {
      yield parts.join('');
      parts = [];
      length = 0;
    }
  }
  if (length > 0) yield parts.join('');
}

/**
 * A file body hashed while the store writes it. Renderers cut pieces between rows and tokens, never
 * inside a character, so hashing each piece as UTF-8 hashes exactly the bytes written. A retried upload
 * renders and hashes afresh; the digest is the last complete pass's (every pass gives the same text).
 */
function hashedBody(render: () => Iterable<string>): { body: () => Iterable<string>; sha256: () => string } {
  let digest: string | undefined;
  return {
    body: function* () {
      const hash = createHash('sha256');
      for (const piece of batched(render())) {
        hash.update(piece);
        yield piece;
      }
      digest = hash.digest('hex');
    },
    sha256: () => {
      if (digest === undefined) throw new Error('report file was not written in full, so it has no digest');
      return digest;
    },
  };
}

/**
 * The drift against the store's `latest.json`, read as a stream: each previous finding goes into the
 * drift as it is read and is never kept (the previous report is as large as this one: 100,000 findings).
 */
export async function driftSinceLatest(
  input: Report,
  opts: Pick<PublishOptions, 'store' | 'logger'>,
): Promise<Drift> {
  const builder = driftBuilder(input);
  const previous = await opts.store
    .readLatest({ findings: (f) => builder.previous(f) })
    .catch((err: unknown) => {
      opts.logger?.warn(
        { err: (err as Error).message },
        'previous report unreadable; drift starts a new baseline',
      );
      return undefined;
    });
  // Undefined (none, unreadable, or not a valid report): the findings handed in are dropped, a baseline.
  return builder.finish(previous);
}

/** Adds the drift to the report, then writes it. Returns the completed report. */
export async function publishReport(input: Report, opts: PublishOptions): Promise<Published> {
  const report: Report = { ...input, drift: opts.drift ?? (await driftSinceLatest(input, opts)) };
  const written: string[] = [];
  const manifest: ManifestEntry[] = [];
  for (const format of new Set<Format>([...opts.formats, 'json'])) {
    const ext = EXTENSIONS[format];
    const path = opts.store.runPath(report, ext);
    const file = hashedBody(() => renderChunks(report, format));
    written.push(await opts.store.write(path, file.body, CONTENT_TYPES[ext] ?? 'text/plain'));
    manifest.push({ name: path.split('/').pop() ?? path, sha256: file.sha256() });
  }
  written.push(
    await opts.store.write(
      opts.store.runPath(report, MANIFEST_EXTENSION),
      manifestText(manifest),
      CONTENT_TYPES[MANIFEST_EXTENSION] ?? '',
    ),
  );
  // Rendered once more rather than kept from above: the JSON of 100,000 buckets is ~36 MB of text.
  written.push(
    await opts.store.write(
      opts.store.latestPath(),
      () => batched(renderChunks(report, 'json')),
      'application/json',
    ),
  );
  return { report, written };
}

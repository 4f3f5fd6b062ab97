/**
 * The one store of the product's own files (reports, backfill and org run state, leases, journals): a
 * local folder or an OSS prefix behind one interface, so every area that keeps files gets the same
 * semantics — reads that say "no such file" as `undefined`, whole-or-nothing writes, and create-only
 * files that two writers can never both believe they wrote. Layouts (which path a file has) belong to
 * the areas; this module only maps a path below the store's root to a file or an object.
 */

/**
 * A file's content: the text, or a function giving it in pieces (e.g. `() => renderChunks(report, f)`).
 * The function is called once per attempt (a retried upload sends the whole text again), so each call
 * must give the whole text afresh; with pieces, no store holds the whole text at once.
 */
export type FileBody = string | (() => Iterable<string>);

/** Files below one root, wherever it lives. Paths are relative to the root, `/`-separated. */
export interface FileStore {
  /** Where the root is, for people: a folder, or `oss://bucket/prefix/`. */
  readonly location: string;
  /** A file's text; `undefined` when there is no such file. */
  read(path: string): Promise<string | undefined>;
  /** A file's bytes as a stream, for files too large to hold whole; `undefined` when there is none. */
  readStream(path: string): Promise<AsyncIterable<Buffer | string> | undefined>;
  /** Writes one file whole (a reader never sees half of it); returns the file's full location. */
  write(path: string, body: FileBody, contentType?: string): Promise<string>;
  /** Creates the file unless it exists, atomically; `false` when it already did (nothing written). */
  create(path: string, text: string): Promise<boolean>;
  /** Names (relative to `dir`) of the files directly in `dir`, sorted. */
  list(dir: string): Promise<string[]>;
}

/** The content type of the store's own files unless a caller names another. */
export const JSON_TYPE = 'application/json';

/**
 * A SHA-256 manifest of a run's files, in the `sha256sum` format (`<hex>  <name>` per line), so that
 * `sha256sum -c <runId>.sha256` (or `verifyManifest`) shows a stored report is unaltered. Pure.
 */
import { createHash } from 'node:crypto';
import { SseGuardError } from '../errors.js';

/** The extension of a run's manifest file: `<runId>.sha256`. */
export const MANIFEST_EXTENSION = 'sha256';

/** A file of the run, by the name it is stored under (no directory: the manifest sits next to it). */
export interface ManifestFile {
  name: string;
  content: string | Buffer;
}

/** A manifest line that could not be built or read. */
export class ManifestError extends SseGuardError {}

/** One discrepancy found by `verifyManifest`. */
export interface ManifestProblem {
  name: string;
  /**
   * `mismatch`: the content's digest differs; `missing`: listed but not given; `unlisted`: given but not
   * listed; `malformed`: a line that is not `<64 hex>  <name>` (its name is then `line <n>`).
   */
  problem: 'mismatch' | 'missing' | 'unlisted' | 'malformed';
}

export interface ManifestVerification {
  ok: boolean;
  problems: ManifestProblem[];
}

/** The SHA-256 of some content, lowercase hex (strings are hashed as UTF-8, as they are written). */
export function sha256Hex(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

function checkName(name: string): void {
  // sha256sum would escape these; our names never need them, so refuse rather than write an ambiguous line.
  if (name === '' || /[\r\n\\]/.test(name)) {
    throw new ManifestError(
      `Manifest file name ${JSON.stringify(name)} is not usable; expected one line without "\\"`,
    );
  }
}

/** A file of the run by name with its SHA-256 (lowercase hex), hashed while it was written. */
export interface ManifestEntry {
  name: string;
  sha256: string;
}

/**
 * The manifest text from digests already computed (publishing hashes each file as it streams it out):
 * one `<sha256 hex>  <name>` line per file (two spaces: text mode, as `sha256sum` writes it), sorted by
 * name, ending with a newline. Throws `ManifestError` for a name that is empty, has a line break or a
 * backslash, or appears twice, and for a digest that is not 64 hex digits.
 */
export function manifestText(entries: ReadonlyArray<ManifestEntry>): string {
  const seen = new Set<string>();
  const lines = entries.map((e) => {
    checkName(e.name);
    if (seen.has(e.name))
      throw new ManifestError(`Manifest file name "${e.name}" appears twice; expected once`);
    seen.add(e.name);
    if (!/^[0-9a-f]{64}$/.test(e.sha256))
      throw new ManifestError(
        `Manifest digest of "${e.name}" is "${e.sha256}"; expected 64 lowercase hex digits`,
      );
    return { name: e.name, line: `${e.sha256}  ${e.name}` };
  });
  lines.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return lines.map((l) => `${l.line}\n`).join('');
}

/** `manifestText` of files given whole: each hashed here. Same errors. */
export function buildManifest(files: ReadonlyArray<ManifestFile>): string {
  return manifestText(files.map((f) => ({ name: f.name, sha256: sha256Hex(f.content) })));
}

/** Reads manifest text into `name -> hex`, reporting lines that are not in the format. */
export function parseManifest(text: string): { entries: Map<string, string>; malformed: number[] } {
  const entries = new Map<string, string>();
  const malformed: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line === '') return;
    // `<hex>  <name>` (text mode) or `<hex> *<name>` (binary mode): both are what sha256sum -c accepts.
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!m?.[1] || !m[2] || entries.has(m[2])) malformed.push(i + 1);
    else entries.set(m[2], m[1].toLowerCase());
  });
  return { entries, malformed };
}

/**
 * Checks `files` against a manifest: every listed file must be given with the same SHA-256, and every
 * given file must be listed. `ok` only when there is no problem at all (a malformed line is a problem).
 */
export function verifyManifest(
  manifestText: string,
  files: ReadonlyArray<ManifestFile>,
): ManifestVerification {
  const { entries, malformed } = parseManifest(manifestText);
  const problems: ManifestProblem[] = malformed.map((n) => ({ name: `line ${n}`, problem: 'malformed' }));
  const given = new Map(files.map((f) => [f.name, f.content]));
  for (const [name, hex] of entries) {
    const content = given.get(name);
    if (content === undefined) problems.push({ name, problem: 'missing' });
    else if (sha256Hex(content) !== hex) problems.push({ name, problem: 'mismatch' });
  }
  for (const name of given.keys()) {
    if (!entries.has(name)) problems.push({ name, problem: 'unlisted' });
  }
  return { ok: problems.length === 0, problems };
}

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

/**
 * Builds the manifest text: one `<sha256 hex>  <name>` line per file (two spaces: text mode, as
 * `sha256sum` writes it), sorted by name, ending with a newline. Throws `ManifestError` for a name that
 * is empty, has a line break or a backslash, or appears twice.
 */
export function buildManifest(files: ReadonlyArray<ManifestFile>): string {
  const seen = new Set<string>();
  const lines = files.map((f) => {
    checkName(f.name);
    if (seen.has(f.name))
      throw new ManifestError(`Manifest file name "${f.name}" appears twice; expected once`);
    seen.add(f.name);
    return { name: f.name, line: `${sha256Hex(f.content)}  ${f.name}` };
  });
  lines.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return lines.map((l) => `${l.line}\n`).join('');
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

/**
 * Loading a policy: from YAML or JSON text, a file, an `oss://bucket/key` object, or inline text, then
 * validated whole. Any problem becomes a `PolicyError` with one line per problem naming its path.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { PolicyError } from '../errors.js';
import { type Policy, policySchema } from './schema.js';

/** Policies are small; anything larger is refused before parsing (a guard against hostile input). */
export const MAX_POLICY_BYTES = 1024 * 1024;

export interface LoadedPolicy {
  policy: Policy;
  /** Where it came from: a path, `oss://...`, `inline` or `builtin`. */
  source: string;
  /** SHA-256 of the exact text, for the report. */
  sha256: string;
}

/** `rules[2].sse.kmsKeyId` from zod's path array. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** One line per zod issue, `path: message`, with duplicates and union noise removed. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unknown key`);
      continue;
    }
    let message = issue.message;
    if (issue.code === 'invalid_type' && /received undefined/.test(message)) message = 'is required';
    lines.push(`${formatPath(issue.path)}: ${message}`);
  }
  return [...new Set(lines)];
}

/** Parses YAML (JSON is YAML) into plain data, refusing alias bombs, duplicate keys and oversize text. */
export function parsePolicyText(text: string, source: string): unknown {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_POLICY_BYTES) {
    throw new PolicyError(source, [`(top level): file is ${bytes} bytes; the limit is ${MAX_POLICY_BYTES}`]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter, merge: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = e.pos?.[0] !== undefined ? lineCounter.linePos(e.pos[0]) : undefined;
      const where = pos ? `line ${pos.line}, column ${pos.col}` : '(top level)';
      return `${where}: ${e.message.split('\n')[0]}`;
    });
    throw new PolicyError(source, problems);
  }
  if (!isMap(doc.contents)) {
    const kind = isSeq(doc.contents) ? 'a list' : doc.contents === null ? 'empty' : 'a scalar';
    throw new PolicyError(source, [`(top level): must be a mapping with version: 1, got ${kind}`]);
  }
  try {
    // maxAliasCount bounds the expansion of anchors/aliases ("billion laughs").
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new PolicyError(source, [`(top level): ${(err as Error).message}`], { cause: err });
  }
}

/** Validates parsed data; throws `PolicyError` listing every problem. */
export function validatePolicy(data: unknown, source: string): Policy {
  const result = policySchema.safeParse(data);
  if (!result.success) throw new PolicyError(source, formatIssues(result.error.issues));
  return result.data;
}

/** Parses and validates policy text. */
export function policyFromText(text: string, source: string): LoadedPolicy {
  const policy = validatePolicy(parsePolicyText(text, source), source);
  return { policy, source, sha256: createHash('sha256').update(text).digest('hex') };
}

/** Reads and validates a policy file. */
export async function loadPolicyFile(path: string): Promise<LoadedPolicy> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > MAX_POLICY_BYTES) {
      throw new PolicyError(path, [
        `(top level): file is ${info.size} bytes; the limit is ${MAX_POLICY_BYTES}`,
      ]);
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new PolicyError(path, [`(file): cannot be read (${code ?? (err as Error).message})`], {
      cause: err,
    });
  }
  return policyFromText(text, path);
}

/** Reads an object's text from OSS; supplied by the caller so this module needs no client. */
export type ObjectTextReader = (bucket: string, key: string) => Promise<string>;

/** The policy used when none is given: every bucket must have some encryption; report only. */
export const BUILTIN_POLICY_TEXT = 'version: 1\n';

/**
 * Resolves a policy reference as the CLI and functions take it: `oss://bucket/key`, inline YAML/JSON
 * (anything with a newline, or starting with `{` or `version:`), or a file path; none: the built-in policy.
 */
export async function loadPolicy(
  ref: string | undefined,
  readObject?: ObjectTextReader,
): Promise<LoadedPolicy> {
  if (ref === undefined || ref.trim() === '') return policyFromText(BUILTIN_POLICY_TEXT, 'builtin');
  const trimmed = ref.trim();
  const oss = /^oss:\/\/([^/]+)\/(.+)$/.exec(trimmed);
  if (oss) {
    const [, bucket, key] = oss as unknown as [string, string, string];
    if (!readObject)
      throw new PolicyError(trimmed, ['(source): reading a policy from OSS needs an OSS client']);
    let text: string;
    try {
      text = await readObject(bucket, key);
    } catch (err) {
      throw new PolicyError(trimmed, [`(source): cannot be read from OSS (${(err as Error).message})`], {
        cause: err,
      });
    }
    return policyFromText(text, trimmed);
  }
  if (trimmed.includes('\n') || trimmed.startsWith('{') || /^version\s*:/.test(trimmed)) {
    return policyFromText(ref, 'inline');
  }
  return loadPolicyFile(trimmed);
}

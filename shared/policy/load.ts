/**
 * Loading a policy: from YAML or JSON text, a file, an `oss://bucket/key` object, or inline text, then
 * validated whole. Any problem becomes a `PolicyError` with one line per problem naming its path.
 */
import { createHash } from 'node:crypto';
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { PolicyError } from '../errors.js';
import { escapeControl } from '../safe-text.js';
import { decodeUtf8, readPolicyFileBytes } from './read-bounded.js';
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

/** A key that reads unambiguously after a dot; anything else is written quoted, `tags["a.b"]`. */
const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

/**
 * `rules[2].sse.kmsKeyId` from zod's path array. Keys that are not plain names are quoted with their
 * control characters escaped, so a key holding a newline cannot start a forged problem line.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && PLAIN_KEY.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${escapeControl(JSON.stringify(String(part)))}]`;
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
    // A record key that failed its own schema: say why, not only "Invalid key in record".
    if (issue.code === 'invalid_key' && issue.issues[0]) message = issue.issues[0].message;
    lines.push(`${formatPath(issue.path)}: ${message}`);
  }
  return [...new Set(lines)];
}

/** Keys that plain JavaScript objects cannot hold as data (zod drops `__proto__` silently). */
const RESERVED_KEYS = new Set(['__proto__']);

/**
 * What the YAML composer accepted but a policy must not hold, one line each: explicit tags (`!!js/function`,
 * `!foo`: a policy is plain data, and an unresolved tag would be dropped silently), keys that are not
 * plain scalars, and reserved keys.
 */
function unsafeYaml(doc: Document, at: (offset: number | undefined) => string): string[] {
  const problems: string[] = [];
  const walk = (node: unknown, path: PropertyKey[]) => {
    if (problems.length >= 20) return;
    const tag = (node as { tag?: string; range?: [number] } | null)?.tag;
    if (tag !== undefined) {
      const offset = (node as { range?: [number] }).range?.[0];
      problems.push(
        `${at(offset)}: explicit YAML tag ${escapeControl(JSON.stringify(tag))} is not allowed (${formatPath(path)}); write plain values`,
      );
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key;
        if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
          const offset = (key as { range?: [number] } | null)?.range?.[0];
          problems.push(`${at(offset)}: a key must be a plain string (${formatPath(path)})`);
          continue;
        }
        const name = String(key.value);
        if (RESERVED_KEYS.has(name)) {
          problems.push(`${formatPath([...path, name])}: is a reserved name and cannot be used as a key`);
          continue;
        }
        walk(key, [...path, name]);
        walk(pair.value, [...path, name]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        walk(item, [...path, i]);
      });
    }
  };
  walk(doc.contents, []);
  return problems;
}

/**
 * Parses YAML (JSON is YAML) into plain data, refusing alias bombs, duplicate keys, oversize text, explicit
 * tags and reserved keys.
 */
export function parsePolicyText(text: string, source: string): unknown {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_POLICY_BYTES) {
    throw new PolicyError(source, [`(top level): file is ${bytes} bytes; the limit is ${MAX_POLICY_BYTES}`]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter, merge: false });
  const at = (offset: number | undefined) => {
    const pos = offset !== undefined ? lineCounter.linePos(offset) : undefined;
    return pos ? `line ${pos.line}, column ${pos.col}` : '(top level)';
  };
  // Warnings too: an unresolved tag is only a warning to the YAML library, and its value would be kept untagged.
  const issues = [...doc.errors, ...doc.warnings];
  if (issues.length > 0) {
    throw new PolicyError(
      source,
      issues.map((e) => `${at(e.pos?.[0])}: ${e.message.split('\n')[0]}`),
    );
  }
  const unsafe = unsafeYaml(doc, at);
  if (unsafe.length > 0) throw new PolicyError(source, unsafe);
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

/**
 * Parses and validates policy bytes: refused over the limit or when not valid UTF-8, so the SHA-256 (of
 * the text, hence of these very bytes) names exactly what was validated.
 */
export function policyFromBytes(bytes: Uint8Array, source: string): LoadedPolicy {
  if (bytes.length > MAX_POLICY_BYTES) {
    throw new PolicyError(source, [
      `(top level): file is ${bytes.length} bytes; the limit is ${MAX_POLICY_BYTES}`,
    ]);
  }
  return policyFromText(decodeUtf8(bytes, source), source);
}

/** Reads and validates a policy file: a regular file, read no further than the limit. */
export async function loadPolicyFile(path: string): Promise<LoadedPolicy> {
  return policyFromBytes(await readPolicyFileBytes(path, MAX_POLICY_BYTES), path);
}

/**
 * Reads at most `maxBytes` of an object from OSS and says how large it is (`OssGateway.getObjectBounded`);
 * supplied by the caller so this module needs no client.
 */
export type ObjectTextReader = (
  bucket: string,
  key: string,
  maxBytes: number,
) => Promise<{ bytes: Uint8Array; size: number }>;

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
    let read: { bytes: Uint8Array; size: number };
    try {
      read = await readObject(bucket, key, MAX_POLICY_BYTES);
    } catch (err) {
      throw new PolicyError(trimmed, [`(source): cannot be read from OSS (${(err as Error).message})`], {
        cause: err,
      });
    }
    if (read.size > MAX_POLICY_BYTES || read.bytes.length > MAX_POLICY_BYTES) {
      const size = Math.max(read.size, read.bytes.length);
      throw new PolicyError(trimmed, [
        `(top level): object is ${size} bytes; the limit is ${MAX_POLICY_BYTES}`,
      ]);
    }
    return policyFromBytes(read.bytes, trimmed);
  }
  if (trimmed.includes('\n') || trimmed.startsWith('{') || /^version\s*:/.test(trimmed)) {
    return policyFromText(ref, 'inline');
  }
  return loadPolicyFile(trimmed);
}

/**
 * Reading a stored report back (drift's `latest.json`) and checking it against the schema, without
 * holding its text or a second copy of its values: the text is tokenized as it arrives (stream-json's
 * parser) and assembled (its Assembler); each finding, drift entry and alert record is validated as soon
 * as it is complete (zod's copy replaces the parsed value at once), and the rest of the report is
 * validated with those lists set aside. Accepts exactly what `reportSchema` accepts.
 */
import { StringDecoder } from 'node:string_decoder';
import { getManyValues, isMany, none } from 'stream-chain/defs.js';
import { Assembler } from 'stream-json/core/assembler.js';
import { jsonParser, type Token } from 'stream-json/core/parser.js';
import type { Finding, Report } from '../model.js';
import type { DriftEntry } from './drift.js';
import { findingSchema, reportSchema } from './report-schema.js';

const DRIFT_LISTS = [
  'becameNoncompliant',
  'fixed',
  'changed',
  'appeared',
  'disappeared',
  'exemptionsExpired',
] as const;
const driftEntrySchema = reportSchema.shape.drift.unwrap().shape.appeared.element;
const alertSchema = reportSchema.shape.alerts.unwrap().element;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ReadReportOptions {
  /**
   * Check the report's own `drift` and `alerts` records but leave them out of the result: what drift
   * needs of a previous report. A baseline run's drift lists every bucket (100,000 entries, ~28 MB).
   */
  skipRecords?: boolean;
  /**
   * Hand each finding here (validated, with strings of its own) as soon as it is read, and keep none: the
   * result's `findings` is empty. Drift reads a previous report this way (shared/report/drift.ts,
   * `driftBuilder`), so it never holds the previous run's findings. The findings arrive before the rest of
   * the report is checked: when the result is undefined, what was handed in must be dropped.
   */
  findings?: (f: Finding) => void;
}

/** What a reviver returns for an element that is checked but not kept: it is taken out of its list. */
const DROP = Symbol('drop');

/** Where a complete value sits: the keys and indices from the root. */
type JsonPath = ReadonlyArray<string | number>;

/**
 * Validates each element of the long lists as soon as it is complete (throwing when one is not valid),
 * and stores each repeated value (region, rule, requirement, reason) once: a parser makes a string per
 * occurrence, 100,000 copies of "cn-hangzhou" in a large report. Returns what is kept instead.
 */
function elementReviver(opts: ReadReportOptions): (path: JsonPath, value: unknown) => unknown {
  const shared = new Map<string, string>();
  const once = (s: string) => {
    const known = shared.get(s);
    if (known !== undefined) return known;
    shared.set(s, s);
    return s;
  };
  return (path, value) => {
    const [top, second] = path;
    if (path.length === 1 && top === 'findings') {
      const f = findingSchema.parse(detached(value));
      f.region = once(f.region);
      f.ruleId = once(f.ruleId);
      f.reason = once(f.reason);
      if (f.requirement !== undefined) f.requirement = once(f.requirement);
      if (!opts.findings) return f;
      // The schema's statuses are FINDING_STATUSES (its enum is typed as string[]).
      opts.findings(f as Finding);
      return DROP;
    }
    if (path.length === 1 && top === 'alerts') {
      if (opts.skipRecords) {
        alertSchema.parse(value);
        return DROP;
      }
      return alertSchema.parse(detached(value));
    }
    if (path.length === 2 && top === 'drift' && DRIFT_LISTS.some((l) => l === second)) {
      if (opts.skipRecords) {
        driftEntrySchema.parse(value);
        return DROP; // checked, not kept
      }
      const e = driftEntrySchema.parse(detached(value));
      e.region = once(e.region);
      e.reason = once(e.reason);
      return e;
    }
    return value;
  };
}

/**
 * A copy of a parsed element whose strings are its own. The tokenizer's strings of 13 characters or
 * more (bucket names, key ids) are V8 slices of the text piece they were read from, and keeping one
 * keeps that whole piece alive: a previous report's findings would hold its entire text (~36 MB at
 * 100,000 buckets). JSON.parse makes fresh strings.
 */
const detached = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** Tokens that complete a value (the others open a container or name a key). */
const COMPLETES = new Set<Token['name']>([
  'endObject',
  'endArray',
  'stringValue',
  'numberValue',
  'nullValue',
  'trueValue',
  'falseValue',
]);

/**
 * One JSON text parsed as it arrives in pieces: stream-json's tokenizer (packed keys, strings and
 * numbers) feeds its Assembler, which builds values as JSON.parse does (own `__proto__` keys, the last
 * of duplicate keys). Each element of an array that is a property of the root (`findings`, `alerts`)
 * or of a property of the root (`drift.appeared`) is handed to `revive` as soon as it is complete, with
 * the path of its array, and what it returns replaces it (`DROP` takes it out). Invalid JSON throws.
 */
class ReportParser {
  // The bare tokenizer is synchronous and takes text (the caller decodes UTF-8); a byte-order mark is
  // a parse error, as for JSON.parse. Its type is a stream-chain stage, fed `none` to flush.
  private readonly tokenize = jsonParser({ streamValues: false }) as unknown as (
    text: string | typeof none,
  ) => unknown;
  private readonly asm = new Assembler();
  private started = false;

  constructor(private readonly revive: (path: JsonPath, value: unknown) => unknown) {}

  write(text: string): void {
    if (text) this.consume(this.tokenize(text));
  }

  /** Ends the text; returns the parsed value. Throws when the text was not one JSON value. */
  end(): unknown {
    this.consume(this.tokenize(none));
    if (!this.started || !this.asm.done) throw new SyntaxError('unexpected end of JSON text');
    return this.asm.current;
  }

  private consume(out: unknown): void {
    if (out === none) return;
    const tokens = isMany(out) ? (getManyValues(out) as Token[]) : [out as Token];
    const { asm } = this;
    for (const token of tokens) {
      asm.consume(token);
      this.started = true;
      if (!COMPLETES.has(token.name)) continue;
      // An element just completed inside an array at depth 2 or 3 (stack: parent, key, ...).
      const list = asm.current;
      const { stack } = asm;
      if (!Array.isArray(list) || list.length === 0) continue;
      let path: JsonPath | undefined;
      if (stack.length === 2 && typeof stack[1] === 'string') path = [stack[1]];
      else if (stack.length === 4 && typeof stack[1] === 'string' && typeof stack[3] === 'string') {
        path = [stack[1], stack[3]];
      }
      if (!path) continue;
      const kept = this.revive(path, list[list.length - 1]);
      if (kept === DROP) list.pop();
      else list[list.length - 1] = kept;
    }
  }
}

/** The parsed report with its (already validated) lists set aside, checked, then the lists put back. */
function checked(raw: unknown, opts: ReadReportOptions): Report | undefined {
  if (!isObject(raw)) return undefined;
  const set = (v: unknown) => (Array.isArray(v) ? [] : v);
  const drift = isObject(raw.drift) ? raw.drift : undefined;
  const envelope: Json = { ...raw, findings: set(raw.findings) };
  if ('alerts' in raw) envelope.alerts = set(raw.alerts);
  if (drift) envelope.drift = { ...drift, ...Object.fromEntries(DRIFT_LISTS.map((l) => [l, set(drift[l])])) };
  const parsed = reportSchema.safeParse(envelope);
  if (!parsed.success) return undefined;
  const report = parsed.data as Report;
  report.findings = raw.findings as Report['findings'];
  if (opts.skipRecords) {
    delete report.drift;
    delete report.alerts;
    return report;
  }
  if (report.alerts) report.alerts = raw.alerts as NonNullable<Report['alerts']>;
  if (report.drift && drift) for (const l of DRIFT_LISTS) report.drift[l] = drift[l] as DriftEntry[];
  return report;
}

/** A report from its whole text, or undefined when it is not valid JSON or not a valid report. */
export function reportFromText(text: string): Report | undefined {
  try {
    const parser = new ReportParser(elementReviver({}));
    parser.write(text);
    return checked(parser.end(), {});
  } catch {
    return undefined;
  }
}

/**
 * A report from its bytes as they arrive (a file or object stream): undefined when they are not a valid
 * report (reading stops at the first problem). An error of the stream itself is thrown.
 */
export async function readReport(
  pieces: AsyncIterable<Buffer | string>,
  opts: ReadReportOptions = {},
): Promise<Report | undefined> {
  const parser = new ReportParser(elementReviver(opts));
  const decoder = new StringDecoder('utf8');
  for await (const piece of pieces) {
    try {
      parser.write(typeof piece === 'string' ? piece : decoder.write(piece));
    } catch {
      // Not JSON, or an element that is not valid: not a report. Returning closes the stream; an error
      // of the stream itself comes from the loop, outside this `try`, and is thrown.
      return undefined;
    }
  }
  try {
    parser.write(decoder.end());
    return checked(parser.end(), opts);
  } catch {
    return undefined;
  }
}

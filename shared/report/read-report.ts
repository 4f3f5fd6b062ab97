/**
 * Reading a stored report back (drift's `latest.json`) and checking it against the schema, without
 * holding its text or a second copy of its values: the text is parsed as it arrives (json-pieces.ts),
 * each finding, drift entry and alert record is validated as soon as it is parsed (zod's copy replaces
 * the parsed value at once), and the rest of the report is validated with those lists set aside.
 * Accepts exactly what `reportSchema` accepts.
 */
import { StringDecoder } from 'node:string_decoder';
import { ZodError } from 'zod';
import type { Report } from '../model.js';
import type { DriftEntry } from './drift.js';
import { type JsonPath, JsonPieceParser } from './json-pieces.js';
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
}

/**
 * A reviver that validates each element of the long lists as soon as it is parsed (throwing when one is
 * not valid), and stores each repeated value (region, rule, requirement, reason) once: JSON.parse makes
 * a string per occurrence, 100,000 copies of "cn-hangzhou" in a large report.
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
    if (path.length === 2 && top === 'findings') {
      const f = findingSchema.parse(value);
      f.region = once(f.region);
      f.ruleId = once(f.ruleId);
      f.reason = once(f.reason);
      if (f.requirement !== undefined) f.requirement = once(f.requirement);
      return f;
    }
    if (path.length === 2 && top === 'alerts') {
      const a = alertSchema.parse(value);
      return opts.skipRecords ? 0 : a;
    }
    if (path.length === 3 && top === 'drift' && DRIFT_LISTS.some((l) => l === second)) {
      const e = driftEntrySchema.parse(value);
      if (opts.skipRecords) return 0; // checked, not kept: the list is dropped below

      e.region = once(e.region);
      e.reason = once(e.reason);
      return e;
    }
    return value;
  };
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
    const parser = new JsonPieceParser(elementReviver({}));
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
  const parser = new JsonPieceParser(elementReviver(opts));
  const decoder = new StringDecoder('utf8');
  try {
    for await (const piece of pieces) {
      // Breaking out of the loop (a parse error below) closes the stream.
      parser.write(typeof piece === 'string' ? piece : decoder.write(piece));
    }
  } catch (err) {
    // Not JSON, or an element that is not valid: not a report. Anything else is the stream's failure.
    if (err instanceof SyntaxError || err instanceof ZodError) return undefined;
    throw err;
  }
  try {
    parser.write(decoder.end());
    return checked(parser.end(), opts);
  } catch {
    return undefined;
  }
}

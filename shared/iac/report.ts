/**
 * The IaC check's report: the audit's finding fields (bucket, region, status, observed, required, ruleId,
 * requirement, reason, cis) plus where the bucket is planned (file, resource address, line), with the
 * status `unknown` for what only the apply can tell. Rendered as the audit's fixed-width table, as JSON,
 * and (sarif.ts) as SARIF. Exit codes as `audit`: 0 all compliant or exempt, 1 some not, 3 some unknown.
 */
import { z } from 'zod';
import { EXIT } from '../exit-codes.js';
import { describeConfig } from '../policy/levels.js';
import { fixedWidthLines } from '../report/render.js';
import { findingSchema } from '../report/report-schema.js';
import type { IacStatus } from './judge.js';
import type { IacSource } from './types.js';

export const IAC_STATUSES: readonly IacStatus[] = ['compliant', 'noncompliant', 'exempt', 'unknown'];

export const iacFindingSchema = findingSchema
  .omit({ action: true, error: true })
  .extend({
    status: z.enum(['compliant', 'noncompliant', 'exempt', 'unknown']),
    file: z.string(),
    address: z.string(),
    line: z.number().int().min(1).optional(),
    resourceType: z.string(),
    source: z.enum(['terraform-plan', 'ros-template']),
  })
  .strict();
export type IacFinding = z.infer<typeof iacFindingSchema> & { source: IacSource };

const counts = z.record(z.string(), z.number().int().min(0));
export const iacReportSchema = z
  .object({
    schemaVersion: z.literal(1),
    kind: z.literal('iac'),
    runId: z.string().min(1),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    tool: z.object({ name: z.string(), version: z.string() }).strict(),
    policy: z.object({ source: z.string(), sha256: z.string() }).strict(),
    files: z.array(z.string()),
    summary: z
      .object({ total: z.number().int().min(0), byStatus: counts, byFile: z.record(z.string(), counts) })
      .strict(),
    findings: z.array(iacFindingSchema),
  })
  .strict();
export type IacReport = z.infer<typeof iacReportSchema>;

export function summarizeIac(findings: readonly IacFinding[]): IacReport['summary'] {
  const byStatus = Object.fromEntries(IAC_STATUSES.map((s) => [s, 0])) as Record<IacStatus, number>;
  const byFile: Record<string, Record<string, number>> = {};
  for (const f of findings) {
    byStatus[f.status] += 1;
    const file = byFile[f.file] ?? {};
    byFile[f.file] = file;
    file[f.status] = (file[f.status] ?? 0) + 1;
  }
  return { total: findings.length, byStatus, byFile };
}

/** 0 every bucket compliant or exempt; 1 some not; 3 some could not be decided (takes precedence, as in audit). */
export function iacExitCode(report: IacReport): number {
  const s = report.summary.byStatus;
  if ((s.unknown ?? 0) > 0) return EXIT.unchecked;
  if ((s.noncompliant ?? 0) > 0) return EXIT.notMet;
  return EXIT.ok;
}

const COLUMNS: Array<[string, (f: IacFinding) => string]> = [
  ['resource', (f) => `${f.file}${f.line ? `:${f.line}` : ''} ${f.address}`],
  ['bucket', (f) => f.bucket],
  ['region', (f) => f.region],
  ['status', (f) => f.status],
  ['planned', (f) => (f.status === 'unknown' && !f.observed ? '?' : describeConfig(f.observed))],
  ['required', (f) => f.requirement ?? describeConfig(f.required)],
  ['rule', (f) => f.ruleId],
  ['reason', (f) => f.reason],
];

/** The audit's fixed-width table, with the planned resource first. */
export function renderIacTable(report: IacReport, opts: { maxReason?: number } = {}): string {
  const maxReason = opts.maxReason ?? 160;
  const parts = IAC_STATUSES.filter((s) => (report.summary.byStatus[s] ?? 0) > 0).map(
    (s) => `${s} ${report.summary.byStatus[s]}`,
  );
  const out = [
    `oss-sse-guard ${report.tool.version} iac check ${report.runId}  policy: ${report.policy.source}\n`,
    `${report.summary.total} buckets in ${report.files.length} files: ${parts.join(', ') || 'none'}\n`,
    '\n',
  ];
  const cells = (f: IacFinding) =>
    COLUMNS.map(([name, get]) => {
      const v = get(f).replace(/\s+/g, ' ');
      return name === 'reason' && v.length > maxReason ? `${v.slice(0, maxReason - 1)}…` : v;
    });
  for (const line of fixedWidthLines(
    COLUMNS.map(([n]) => n.toUpperCase()),
    () => report.findings.map(cells),
  ))
    out.push(line);
  return out.join('');
}

export function renderIacJson(report: IacReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

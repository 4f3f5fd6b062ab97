/**
 * What to say, pure: a run summary and one message per new problem (from the drift, so an unchanged
 * problem is never announced twice), and one batched message per upload-guard invocation. Texts are
 * Markdown (the subset DingTalk renders); every untrusted value (bucket, key, reason) is escaped.
 */
import { createHash } from 'node:crypto';
import {
  type AlertKind,
  type Drift,
  type DriftEntry,
  driftKey,
  type Finding,
  type FindingStatus,
  hasDrift,
  isProblem,
  type Report,
} from '../model.js';
import { SEVERITIES, type Severity } from './schema.js';

/** One alert, ready for any sink. */
export interface AlertMessage {
  /** Stable for the same news in the same run, so a receiver can drop a retried delivery. */
  id: string;
  kind: AlertKind;
  severity: Severity;
  title: string;
  /** Markdown. */
  text: string;
  /** Structured facts for machine receivers (the webhook body carries them). */
  data: Record<string, unknown>;
}

/** The upload guard's verdict on one object, as alerts need it. */
export interface ObjectVerdict {
  bucket: string;
  key: string;
  region?: string;
  size?: number;
  /** `noncompliant`: left unencrypted (alert only); `remediated`: encrypted in place; `error`: not checked. */
  verdict: 'compliant' | 'noncompliant' | 'remediated' | 'ignored' | 'error';
  reason: string;
}

/** Escapes Markdown so that untrusted text shows as typed, on one line. */
export function mdEscape(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ').replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

/** How urgent a bucket in `status` is. */
export function statusSeverity(status: FindingStatus | undefined): Severity {
  if (status === 'noncompliant' || status === 'blocked' || status === 'would-remediate') return 'critical';
  if (status === 'error') return 'warning';
  return 'info';
}

function maxSeverity(list: readonly Severity[]): Severity {
  return SEVERITIES[Math.max(0, ...list.map((s) => SEVERITIES.indexOf(s)))] ?? 'info';
}

export interface RunAlertOptions {
  /** At most this many per-problem messages (the summary lists the rest); default 10, as chat robots throttle. */
  maxProblemMessages?: number;
  /** At most this many problems listed in the summary; default 20. */
  maxListed?: number;
}

/**
 * The drift entries that are news to someone on call (a bucket that is a problem now and was not, or was
 * another one), worst first, then by `region/bucket`, so a cap keeps the most urgent.
 */
export function newProblems(drift: Drift): DriftEntry[] {
  const rank = (e: DriftEntry) => SEVERITIES.indexOf(statusSeverity(e.to));
  return [...drift.becameNoncompliant, ...drift.exemptionsExpired, ...drift.changed, ...drift.appeared]
    .filter((e) => e.to !== undefined && isProblem(e.to))
    .sort((a, b) => rank(b) - rank(a) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Organization runs: `name (id)` of the entry's member account, else ''. */
function accountOf(e: DriftEntry, report: Report): string {
  if (!e.accountId) return '';
  const name = report.organization?.accounts.find((a) => a.accountId === e.accountId)?.accountName;
  return name ? `${name} (${e.accountId})` : e.accountId;
}

function describeEntry(e: DriftEntry, account = ''): string {
  const was = e.from ? `was ${e.from}` : 'new bucket';
  const where = account ? `account ${mdEscape(account)}: ` : '';
  return `${where}**${mdEscape(e.bucket)}** (${mdEscape(e.region)}): ${e.to ?? 'gone'}, ${was}: ${mdEscape(e.reason)}`;
}

/**
 * The messages one audit run should send: a summary when anything changed (its severity is the worst
 * new problem's, `info` when there is none), then one message per new problem. Nothing when nothing
 * changed, so the same unchanged problem is not announced every run.
 */
export function alertsForRun(drift: Drift, report: Report, opts: RunAlertOptions = {}): AlertMessage[] {
  const maxMessages = opts.maxProblemMessages ?? 10;
  const maxListed = opts.maxListed ?? 20;
  const problems = newProblems(drift);
  const incompleteNews = report.incomplete !== undefined && !drift.previousIncomplete;
  if (!hasDrift(drift) && !incompleteNews) return [];
  const severities = problems.map((e) => statusSeverity(e.to));
  if (incompleteNews || drift.exemptionsExpired.length > 0) severities.push('warning');
  const s = report.summary.byStatus;
  const open = s.noncompliant + s.blocked + s.error + s['would-remediate'];
  const lines = [
    `**${problems.length} new problems**, ${drift.fixed.length} fixed, ${open} open in total (${report.summary.total} buckets).`,
    '',
    ...problems.slice(0, maxListed).map((e) => `- ${describeEntry(e, accountOf(e, report))}`),
  ];
  if (problems.length > maxListed) lines.push(`- … and ${problems.length - maxListed} more`);
  if (drift.exemptionsExpired.length > 0)
    lines.push('', `${drift.exemptionsExpired.length} exemptions expired.`);
  if (drift.disappeared.length > 0) lines.push('', `${drift.disappeared.length} buckets disappeared.`);
  if (report.incomplete) {
    lines.push(
      '',
      `Incomplete: ${report.incomplete.unchecked} buckets not checked (${mdEscape(report.incomplete.reason)}).`,
    );
  }
  lines.push('', `Run ${mdEscape(report.runId)}, ${report.mode}, policy ${mdEscape(report.policy.source)}.`);
  const summary: AlertMessage = {
    id: `${report.runId}:summary`,
    kind: 'run-summary',
    severity: maxSeverity(severities),
    title: `OSS SSE audit: ${problems.length} new problems`,
    text: lines.join('\n'),
    data: {
      runId: report.runId,
      mode: report.mode,
      summary: report.summary,
      newProblems: problems.map((e) => e.key),
      fixed: drift.fixed.map((e) => e.key),
      disappeared: drift.disappeared.map((e) => e.key),
      exemptionsExpired: drift.exemptionsExpired.map((e) => e.key),
      ...(report.incomplete ? { incomplete: report.incomplete } : {}),
    },
  };
  const byKey = new Map(report.findings.map((f) => [driftKey(f), f]));
  const perProblem = problems.slice(0, maxMessages).map((e): AlertMessage => {
    const f = byKey.get(e.key);
    const account = accountOf(e, report);
    const text = [
      describeEntry(e, account),
      '',
      `- Rule: ${mdEscape(f?.ruleId ?? '?')}`,
      `- Required: ${mdEscape(f?.requirement ?? '?')}`,
      ...(f?.cis?.length ? [`- CIS: ${f.cis.map(mdEscape).join(', ')}`] : []),
      ...(f?.keyState ? [`- KMS key: ${mdEscape(describeKeyFacts(f))}`] : []),
      `- Run: ${mdEscape(report.runId)}`,
    ];
    return {
      id: `${report.runId}:${e.key}:${e.to}`,
      kind: 'new-problem',
      severity: statusSeverity(e.to),
      title: `${account ? `${account}: ` : ''}${e.bucket} (${e.region}) is ${e.to}`,
      text: text.join('\n'),
      data: { runId: report.runId, ...e, ruleId: f?.ruleId, cis: f?.cis ?? [] },
    };
  });
  return [summary, ...perProblem];
}

/** The key facts of a finding in words: `key-id: Disabled, Aliyun_KMS, SOFTWARE`. */
export function describeKeyFacts(
  f: Pick<Finding, 'observed' | 'keyState' | 'keyOrigin' | 'keyProtection'>,
): string {
  const facts = [f.keyState, f.keyOrigin, f.keyProtection].filter((x): x is string => Boolean(x)).join(', ');
  return f.observed?.kmsKeyId ? `${f.observed.kmsKeyId}: ${facts}` : facts;
}

const UPLOAD_SEVERITY: Record<ObjectVerdict['verdict'], Severity | undefined> = {
  noncompliant: 'critical',
  error: 'warning',
  remediated: 'info',
  compliant: undefined,
  ignored: undefined,
};

/**
 * One message for the objects of one upload-guard invocation that need a word (left unencrypted, not
 * checked, or encrypted in place), or none. Lists up to `max` objects (default 50) and counts the rest.
 */
export function uploadAlerts(
  verdicts: readonly ObjectVerdict[],
  opts: { max?: number } = {},
): AlertMessage[] {
  const max = opts.max ?? 50;
  const notable = verdicts.filter((v) => UPLOAD_SEVERITY[v.verdict] !== undefined);
  if (notable.length === 0) return [];
  const count = (k: ObjectVerdict['verdict']) => notable.filter((v) => v.verdict === k).length;
  const buckets = [...new Set(notable.map((v) => v.bucket))].sort();
  const lines = [
    `**${count('noncompliant')} unencrypted**, ${count('remediated')} encrypted in place, ${count('error')} not checked.`,
    '',
    ...notable.slice(0, max).map((v) => {
      const size = v.size === undefined ? '' : ` (${v.size} bytes)`;
      return `- ${v.verdict}: **${mdEscape(v.bucket)}**/${mdEscape(v.key)}${size}: ${mdEscape(v.reason)}`;
    }),
  ];
  if (notable.length > max) lines.push(`- … and ${notable.length - max} more`);
  const digest = createHash('sha256');
  for (const v of notable) digest.update(`${v.bucket}\n${v.key}\n${v.verdict}\n`);
  return [
    {
      id: `upload:${digest.digest('hex').slice(0, 16)}`,
      kind: 'upload',
      severity: maxSeverity(notable.map((v) => UPLOAD_SEVERITY[v.verdict] ?? 'info')),
      title: `Upload guard: ${count('noncompliant')} unencrypted objects in ${buckets.slice(0, 3).join(', ')}${buckets.length > 3 ? ', …' : ''}`,
      text: lines.join('\n'),
      data: { objects: notable.slice(0, max), total: notable.length },
    },
  ];
}

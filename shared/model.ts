/**
 * The product's own vocabulary: encryption configurations, findings and the report (DESIGN.md section 4).
 * Everything else converts to and from these types at its border.
 */

export type SseAlgorithm = 'AES256' | 'KMS' | 'SM4';

/** A bucket's default encryption, or an object's encryption. `null` where there is none. */
export interface SseConfig {
  algorithm: SseAlgorithm;
  /** KMS only: a CMK id, ARN or alias; absent means the OSS-managed default CMK. */
  kmsKeyId?: string;
  /** KMS only: `SM4` to encrypt data with SM4 under KMS. */
  kmsDataEncryption?: 'SM4';
}

export type FindingStatus =
  | 'compliant'
  | 'remediated'
  | 'would-remediate'
  | 'noncompliant'
  | 'exempt'
  | 'blocked'
  | 'error';

export const FINDING_STATUSES: readonly FindingStatus[] = [
  'compliant',
  'remediated',
  'would-remediate',
  'noncompliant',
  'exempt',
  'blocked',
  'error',
];

export interface FindingError {
  code: string;
  message: string;
  status?: number;
  requestId?: string;
}

export interface FindingAction {
  kind: 'put-bucket-encryption';
  from: SseConfig | null;
  to: SseConfig;
  requestId?: string;
  at?: string;
}

export interface Finding {
  bucket: string;
  region: string;
  status: FindingStatus;
  observed: SseConfig | null;
  required: SseConfig | null;
  ruleId: string;
  /** The requirement in words: `at least sse-oss`, `KMS, key alias/prod`. */
  requirement?: string;
  reason: string;
  /** CIS Alibaba Cloud Foundations Benchmark v2.0 controls this finding speaks to (e.g. `5.8`, `5.9`). */
  cis?: string[];
  /** DescribeKey `KeyState` of the KMS key the observed configuration names, where it was read (`NotFound`: not in the region). */
  keyState?: string;
  /** DescribeKey `Origin` of that key (Aliyun_KMS, EXTERNAL). */
  keyOrigin?: string;
  /** DescribeKey `ProtectionLevel` of that key (SOFTWARE, HSM). */
  keyProtection?: string;
  action?: FindingAction;
  error?: FindingError;
  /** Organization runs: the member account the bucket belongs to. */
  accountId?: string;
  accountName?: string;
}

/** One member account of an organization run (`Report.organization.accounts`, worst first). */
export interface AccountSummary {
  accountId: string;
  accountName: string;
  total: number;
  byStatus: Record<FindingStatus, number>;
  /** Set when the account could not be audited at all (role missing, not trusted, listing refused). */
  error?: FindingError;
}

/** The kinds of alert message (shared/alerts/messages.ts builds them). */
export type AlertKind = 'run-summary' | 'new-problem' | 'upload';

/** What happened to one message at one sink. */
export interface DeliveryRecord {
  sink: 'webhook' | 'dingtalk';
  /** The sink's URL, redacted (no query string, no token-like path segment). */
  target: string;
  messageId: string;
  kind: AlertKind | 'none';
  ok: boolean;
  /** HTTP requests made (0 when the sink could not be used at all). */
  attempts: number;
  /** The last HTTP status, when a response came back. */
  status?: number;
  /** Why it failed, secret-free. */
  error?: string;
}

/** One bucket whose state differs between the runs. */
export interface DriftEntry {
  /** `region/bucket`. */
  key: string;
  bucket: string;
  region: string;
  /** Status in the previous run; absent for a bucket that appeared. */
  from?: FindingStatus;
  /** Status in this run; absent for a bucket that disappeared. */
  to?: FindingStatus;
  /** This run's reason (the previous one for a bucket that disappeared). */
  reason: string;
  /** Organization runs: the member account. */
  accountId?: string;
}

/**
 * What changed since the previous run. Each bucket is in at most one list: an exemption that expired is
 * listed under `exemptionsExpired` only, even when the bucket is now non-compliant.
 */
export interface Drift {
  /** The run compared against; absent when there was no previous report (a baseline run). */
  previousRunId?: string;
  currentRunId: string;
  /** Whether the previous run was cut short (so an incomplete run is only news once). */
  previousIncomplete: boolean;
  /** compliant / remediated / exempt before, a problem status now. */
  becameNoncompliant: DriftEntry[];
  /** A problem status before, compliant / remediated / exempt now. */
  fixed: DriftEntry[];
  /** Still a problem, but a different one (e.g. `would-remediate` -> `blocked`). */
  changed: DriftEntry[];
  /** Not in the previous report (every bucket, on a baseline run). */
  appeared: DriftEntry[];
  /** In the previous report, not in this one. */
  disappeared: DriftEntry[];
  /** Exempt before; this run's reason starts with "exemption expired". */
  exemptionsExpired: DriftEntry[];
  /** Problems present in both runs with the same status (counted, not listed: they are not news). */
  unchangedProblems: number;
}

/** Statuses that need no one's attention. */
export const OK_STATUSES: ReadonlySet<FindingStatus> = new Set(['compliant', 'remediated', 'exempt']);

/** Whether a status needs attention (`noncompliant`, `blocked`, `error`, `would-remediate`). */
export function isProblem(status: FindingStatus): boolean {
  return !OK_STATUSES.has(status);
}

/** The drift key of a finding. */
export function driftKey(f: Pick<Finding, 'region' | 'bucket' | 'accountId'>): string {
  // Organization reports: per account (bucket names are global, but an account error entry is not).
  if (f.accountId) return `${f.accountId}/${f.region}/${f.bucket}`;
  return `${f.region}/${f.bucket}`;
}

/** Whether anything changed at all between the runs a drift compares. */
export function hasDrift(d: Drift): boolean {
  return (
    d.becameNoncompliant.length +
      d.fixed.length +
      d.changed.length +
      d.appeared.length +
      d.disappeared.length +
      d.exemptionsExpired.length >
    0
  );
}

export interface ReportSummary {
  total: number;
  byStatus: Record<FindingStatus, number>;
  byRegion: Record<string, Partial<Record<FindingStatus, number>>>;
}

export interface Report {
  schemaVersion: 1;
  runId: string;
  startedAt: string;
  finishedAt: string;
  tool: { name: string; version: string };
  mode: 'dry-run' | 'remediate';
  policy: { source: string; sha256: string };
  summary: ReportSummary;
  findings: Finding[];
  /** Buckets that were listed but not checked before the deadline (they also appear as `error` findings). */
  incomplete?: { reason: string; unchecked: number };
  /** What changed since the previous report (`latest.json`); absent when drift was not computed. */
  drift?: Drift;
  /** Alert deliveries of this run (secret-free: URLs redacted). */
  alerts?: DeliveryRecord[];
  /** Organization runs: the per-account picture and the listed accounts not audited. */
  organization?: {
    accounts: AccountSummary[];
    skipped: { accountId: string; accountName: string; reason: string }[];
  };
}

/** Counts findings by status and by region. */
export function summarize(findings: readonly Finding[]): ReportSummary {
  const byStatus = Object.fromEntries(FINDING_STATUSES.map((s) => [s, 0])) as Record<FindingStatus, number>;
  const byRegion: ReportSummary['byRegion'] = {};
  for (const f of findings) {
    byStatus[f.status] += 1;
    const region = byRegion[f.region] ?? {};
    byRegion[f.region] = region;
    region[f.status] = (region[f.status] ?? 0) + 1;
  }
  return { total: findings.length, byStatus, byRegion };
}

/**
 * One Report literal that every format test renders: all seven statuses, three regions, and values an
 * attacker could choose (bucket names are constrained by OSS, but reasons, rule ids and key ids reach us
 * from policies and error messages): HTML, CSV quoting, formula prefixes, Markdown pipes, newlines.
 */
import { type Finding, type Report, summarize } from '../../shared/model.js';

export const HOSTILE_REASON = 'uses AES256, "quoted", with commas\nand a newline <script>alert(1)</script>';

export const SAMPLE_FINDINGS: Finding[] = [
  {
    bucket: 'prod-logs',
    region: 'cn-hangzhou',
    status: 'compliant',
    observed: { algorithm: 'KMS', kmsKeyId: 'key-prod-1' },
    required: { algorithm: 'KMS', kmsKeyId: 'alias/prod-oss' },
    ruleId: 'prod-cmk',
    requirement: 'KMS, key alias/prod-oss',
    reason: 'meets KMS, key alias/prod-oss',
    cis: ['5.8', '5.9'],
  },
  {
    bucket: 'prod-data',
    region: 'cn-hangzhou',
    status: 'remediated',
    observed: { algorithm: 'KMS', kmsKeyId: 'alias/prod-oss' },
    required: { algorithm: 'KMS', kmsKeyId: 'alias/prod-oss' },
    ruleId: 'prod-cmk',
    reason: 'no default encryption',
    cis: ['5.8', '5.9'],
    action: {
      kind: 'put-bucket-encryption',
      from: null,
      to: { algorithm: 'KMS', kmsKeyId: 'alias/prod-oss' },
      requestId: '5F1A-REQ-1',
      at: '2026-01-05T10:00:03.000Z',
    },
  },
  {
    bucket: 'legacy-archive',
    region: 'cn-shanghai',
    status: 'exempt',
    observed: null,
    required: null,
    ruleId: 'legacy-archive',
    reason: 'SEC-42: migrating off by March',
  },
  {
    bucket: 'web-assets',
    region: 'cn-shanghai',
    status: 'would-remediate',
    observed: null,
    required: { algorithm: 'AES256' },
    ruleId: '=HYPERLINK("http://evil.example","x")',
    reason: HOSTILE_REASON,
    cis: ['5.8'],
  },
  {
    bucket: 'team-a-uploads',
    region: 'cn-beijing',
    status: 'noncompliant',
    observed: { algorithm: 'AES256' },
    required: { algorithm: 'KMS' },
    ruleId: '+sum',
    reason: '-1 is (AES256); expected at least kms | pipe',
    cis: ['5.8'],
  },
  {
    bucket: 'finance-reports',
    region: 'cn-beijing',
    status: 'blocked',
    observed: null,
    required: { algorithm: 'KMS', kmsKeyId: 'key-disabled' },
    ruleId: '@cmd',
    reason: 'KMS key "key-disabled" is Disabled; expected Enabled',
    cis: ['5.8', '5.9'],
  },
  {
    bucket: 'ops-backup',
    region: 'cn-hangzhou',
    status: 'error',
    observed: null,
    required: null,
    ruleId: 'defaults',
    reason: 'could not read encryption',
    error: {
      code: 'AccessDenied',
      message: 'You have no right to access this object.',
      status: 403,
      requestId: 'REQ-403',
    },
  },
];

/** A fresh copy of the sample report (tests may change it). */
export function sampleReport(overrides: Partial<Report> = {}): Report {
  const findings = structuredClone(SAMPLE_FINDINGS);
  return {
    schemaVersion: 1,
    runId: '20260105T100000Z-abc123',
    startedAt: '2026-01-05T10:00:00.000Z',
    finishedAt: '2026-01-05T10:00:04.500Z',
    tool: { name: 'oss-sse-guard', version: '0.1.0' },
    mode: 'remediate',
    policy: { source: 'examples/policy.yaml', sha256: 'a'.repeat(64) },
    summary: summarize(findings),
    findings,
    ...overrides,
  };
}

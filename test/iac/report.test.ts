/**
 * The IaC report's table and JSON, in process: the planned resource with its line, the statuses and
 * their counts, reasons cut in the table but whole in the JSON, and the exit codes of `audit`.
 */
import { describe, expect, it } from 'vitest';
import { iacExitCode, iacReportSchema, renderIacJson, renderIacTable } from '../../shared/iac/report.js';
import { check, fixture } from './helpers.js';

describe('IaC report rendering', () => {
  it('prints one table row per planned bucket with file:line and address, and the counts by status', async () => {
    // Prepare
    const report = await check(
      [fixture('tf-emulator-twins.plan.json'), fixture('tf-unknown-kms.plan.json')],
      'version: 1\nrules:\n  - { id: legacy, buckets: ["legacy-*"], exempt: { reason: "SEC-42" } }\n  - { id: prod, buckets: ["acme-prod-*"], sse: { algorithm: KMS, kmsKeyId: alias/prod-oss } }\n',
    );

    // Act
    const table = renderIacTable(report, { maxReason: 40 });

    // Assess
    const lines = table.trimEnd().split('\n');
    expect(lines[1]).toBe('6 buckets in 2 files: compliant 1, noncompliant 2, exempt 1, unknown 2');
    expect(lines[3]).toMatch(/^RESOURCE\s+BUCKET\s+REGION\s+STATUS\s+PLANNED\s+REQUIRED\s+RULE\s+REASON$/);
    expect(lines).toHaveLength(4 + report.findings.length);
    const data = lines.find((l) => l.includes('alicloud_oss_bucket.data')) ?? '';
    expect(data).toContain('tf-unknown-kms.plan.json:');
    expect(data).toContain('KMS, key (known after apply)');
    expect(data.endsWith('…')).toBe(true);
    expect(iacExitCode(report)).toBe(3);
  });

  it('round-trips the JSON report through its schema with whole reasons', async () => {
    // Prepare
    const report = await check([fixture('ros-bucket-kms.yaml')], 'version: 1\n');

    // Act
    const parsed = iacReportSchema.parse(JSON.parse(renderIacJson(report)));

    // Assess
    expect(parsed).toEqual(report);
    expect(parsed.summary).toEqual({
      total: 2,
      byStatus: { compliant: 2, noncompliant: 0, exempt: 0, unknown: 0 },
      byFile: { [fixture('ros-bucket-kms.yaml')]: { compliant: 2 } },
    });
    expect(iacExitCode(parsed)).toBe(0);
  });

  it('exits 1 when some bucket is not compliant and none is unknown', async () => {
    // Act
    const report = await check(
      [fixture('tf-module.plan.json')],
      'version: 1\ndefaults: { sse: { minimum: kms } }\n',
    );

    // Assess
    expect(report.summary.byStatus).toMatchObject({ compliant: 1, noncompliant: 1, unknown: 0 });
    expect(iacExitCode(report)).toBe(1);
  });
});

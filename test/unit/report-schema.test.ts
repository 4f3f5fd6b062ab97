import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeDrift } from '../../shared/report/drift.js';
import { renderJson } from '../../shared/report/render.js';
import { reportJsonSchema, reportSchema } from '../../shared/report/report-schema.js';
import { parseReport } from '../../shared/report/store.js';
import { sampleReport } from '../report/sample-report.js';

describe('report JSON schema', () => {
  it('accepts the JSON rendering of a report with every status, drift and alerts', () => {
    // Prepare
    const previous = sampleReport({ runId: 'previous' });
    const current = sampleReport({
      findings: previous.findings.slice(1).map((f) => ({ ...f, status: 'compliant' as const })),
      alerts: [
        {
          sink: 'webhook',
          target: 'https://hooks.example.com/x',
          messageId: 'm1',
          kind: 'run-summary',
          ok: true,
          attempts: 1,
          status: 200,
        },
        {
          sink: 'dingtalk',
          target: 'https://oapi.dingtalk.com/robot/send',
          messageId: 'm1',
          kind: 'run-summary',
          ok: false,
          attempts: 4,
          error: 'HTTP 500',
        },
      ],
    });
    current.drift = computeDrift(previous, current);

    // Act
    const parsed = reportSchema.safeParse(JSON.parse(renderJson(current)));

    // Assess
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    expect(current.drift.fixed.length + current.drift.disappeared.length).toBeGreaterThan(0);
    expect(reportSchema.safeParse(JSON.parse(renderJson(sampleReport()))).success).toBe(true);
  });

  it('refuses what is not a report, naming the field', () => {
    const bad = { ...JSON.parse(renderJson(sampleReport())), schemaVersion: 2 };
    const parsed = reportSchema.safeParse(bad);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['schemaVersion']);
    expect(parseReport(JSON.stringify(bad))).toBeUndefined();
    expect(parseReport('{not json')).toBeUndefined();
  });

  it('is published as docs/report.schema.json, up to date (npm run schema)', () => {
    const published = JSON.parse(readFileSync('docs/report.schema.json', 'utf8')) as unknown;
    expect(published).toEqual(JSON.parse(JSON.stringify(reportJsonSchema())));
  });
});

import { describe, expect, it } from 'vitest';
import { alertsForRun, mdEscape, type ObjectVerdict, uploadAlerts } from '../../shared/alerts/messages.js';
import { type Report, summarize } from '../../shared/model.js';
import { computeDrift } from '../../shared/report/drift.js';
import { sampleReport } from '../report/sample-report.js';

function withStatus(
  prev: Report,
  runId: string,
  bucket: string,
  status: Report['findings'][number]['status'],
) {
  const findings = prev.findings.map((f) => (f.bucket === bucket ? { ...f, status } : f));
  return { ...prev, runId, findings, summary: summarize(findings) };
}

describe('alertsForRun', () => {
  it('sends a summary and one message per problem on the first run, worst first', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const messages = alertsForRun(computeDrift(undefined, report), report);

    // Assess
    expect(messages.map((m) => m.kind)).toEqual(['run-summary', ...Array(4).fill('new-problem')]);
    expect(messages[0]?.severity).toBe('critical');
    expect(messages.slice(1).map((m) => m.title)).toEqual([
      'finance-reports (cn-beijing) is blocked',
      'team-a-uploads (cn-beijing) is noncompliant',
      'web-assets (cn-shanghai) is would-remediate',
      'ops-backup (cn-hangzhou) is error',
    ]);
    expect(messages.find((m) => m.title.startsWith('ops-backup'))?.severity).toBe('warning');
  });

  it('sends nothing when the same problems are found again', () => {
    // Prepare
    const previous = sampleReport({ runId: 'run-1' });
    const report = sampleReport({ runId: 'run-2' });

    // Act
    const messages = alertsForRun(computeDrift(previous, report), report);

    // Assess
    expect(messages).toEqual([]);
  });

  it('announces only the bucket that became non-compliant since the previous run', () => {
    // Prepare
    const previous = sampleReport({ runId: 'run-1' });
    const report = withStatus(previous, 'run-2', 'prod-logs', 'noncompliant');

    // Act
    const messages = alertsForRun(computeDrift(previous, report), report);

    // Assess
    expect(messages).toHaveLength(2);
    expect(messages[0]?.text).toContain('**1 new problems**, 0 fixed, 5 open in total (7 buckets).');
    expect(messages[1]).toMatchObject({
      id: 'run-2:cn-hangzhou/prod-logs:noncompliant',
      kind: 'new-problem',
      severity: 'critical',
      data: { from: 'compliant', to: 'noncompliant', ruleId: 'prod-cmk', cis: ['5.8', '5.9'] },
    });
  });

  it('sends only an info summary when a problem got fixed', () => {
    // Prepare
    const previous = sampleReport({ runId: 'run-1' });
    const report = withStatus(previous, 'run-2', 'team-a-uploads', 'remediated');

    // Act
    const messages = alertsForRun(computeDrift(previous, report), report);

    // Assess
    expect(messages.map((m) => [m.kind, m.severity])).toEqual([['run-summary', 'info']]);
  });

  it('warns once when a run becomes incomplete, not again while it stays so', () => {
    // Prepare
    const incomplete = { reason: 'deadline', unchecked: 2 };
    const first = sampleReport({ runId: 'run-1' });
    const second = sampleReport({ runId: 'run-2', incomplete });
    const third = sampleReport({ runId: 'run-3', incomplete });

    // Act
    const news = alertsForRun(computeDrift(first, second), second);
    const again = alertsForRun(computeDrift(second, third), third);

    // Assess
    expect(news.map((m) => [m.kind, m.severity])).toEqual([['run-summary', 'warning']]);
    expect(again).toEqual([]);
  });

  it('caps the per-problem messages and lists the rest in the summary', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const messages = alertsForRun(computeDrift(undefined, report), report, {
      maxProblemMessages: 1,
      maxListed: 2,
    });

    // Assess
    expect(messages).toHaveLength(2);
    expect(messages[0]?.text).toContain('- … and 2 more');
  });

  it('escapes untrusted text so it cannot add Markdown links or lines', () => {
    // Prepare
    const hostile = '[click](http://evil) *bold*\n# heading';

    // Act
    const escaped = mdEscape(hostile);

    // Assess
    expect(escaped).toBe('\\[click\\]\\(http://evil\\) \\*bold\\* \\# heading');
  });
});

describe('uploadAlerts', () => {
  const verdicts: ObjectVerdict[] = [
    { bucket: 'uploads', key: 'a.txt', size: 12, verdict: 'noncompliant', reason: 'no SSE header' },
    { bucket: 'uploads', key: 'b.txt', verdict: 'compliant', reason: 'AES256' },
    { bucket: 'uploads', key: 'c_[x].txt', verdict: 'remediated', reason: 'encrypted in place' },
    { bucket: 'media', key: 'd.bin', verdict: 'error', reason: 'AccessDenied' },
  ];

  it('batches the objects of one invocation into one message, leaving out compliant ones', () => {
    // Prepare
    const input = verdicts;

    // Act
    const messages = uploadAlerts(input);

    // Assess
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      kind: 'upload',
      severity: 'critical',
      title: 'Upload guard: 1 unencrypted objects in media, uploads',
      data: { total: 3 },
    });
    expect(messages[0]?.text).toContain('- noncompliant: **uploads**/a\\.txt (12 bytes): no SSE header');
    expect(messages[0]?.text).toContain('c\\_\\[x\\]\\.txt');
    expect(messages[0]?.text).not.toContain('b\\.txt');
  });

  it('sends nothing when every upload is fine', () => {
    // Prepare
    const fine = verdicts.filter((v) => v.verdict === 'compliant');

    // Act
    const messages = uploadAlerts(fine);

    // Assess
    expect(messages).toEqual([]);
  });

  it('gives the same batch the same id, so a retried invocation can be deduplicated', () => {
    // Prepare
    const again = structuredClone(verdicts);

    // Act
    const [a, b] = [uploadAlerts(verdicts)[0], uploadAlerts(again)[0]];

    // Assess
    expect(a?.id).toMatch(/^upload:[0-9a-f]{16}$/);
    expect(a?.id).toBe(b?.id);
  });
});

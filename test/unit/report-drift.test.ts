import { describe, expect, it } from 'vitest';
import { type Finding, type Report, summarize } from '../../shared/model.js';
import { computeDrift, hasDrift, renderDriftText } from '../../shared/report/drift.js';
import { sampleReport } from '../report/sample-report.js';

/** The sample report with some buckets changed, dropped or added: the next run of the same account. */
function nextRun(prev: Report, runId: string, change: (findings: Finding[]) => Finding[]): Report {
  const findings = change(structuredClone(prev.findings));
  return { ...prev, runId, findings, summary: summarize(findings) };
}

function set(findings: Finding[], bucket: string, patch: Partial<Finding>): Finding[] {
  return findings.map((f) => (f.bucket === bucket ? { ...f, ...patch } : f));
}

/** Three successive runs: a baseline, a run where much changes, a run where one thing is fixed. */
function threeRuns(): [Report, Report, Report] {
  const run1 = sampleReport({ runId: 'run-1' });
  const run2 = nextRun(run1, 'run-2', (fs) => {
    let out = set(fs, 'prod-logs', { status: 'noncompliant', reason: 'no default encryption' });
    out = set(out, 'team-a-uploads', { status: 'remediated', reason: 'no default encryption' });
    out = set(out, 'legacy-archive', {
      status: 'noncompliant',
      reason: 'exemption expired on 2026-01-01; no default encryption',
    });
    out = set(out, 'web-assets', { status: 'blocked', reason: 'KMS key is Disabled; expected Enabled' });
    out = out.filter((f) => f.bucket !== 'finance-reports');
    return [...out, { ...fs[0]!, bucket: 'new-bucket', region: 'cn-beijing', status: 'noncompliant' }];
  });
  const run3 = nextRun(run2, 'run-3', (fs) => set(fs, 'prod-logs', { status: 'remediated' }));
  return [run1, run2, run3];
}

describe('computeDrift', () => {
  it('treats every bucket of the first run as appeared and names no previous run', () => {
    // Prepare
    const [run1] = threeRuns();

    // Act
    const drift = computeDrift(undefined, run1);

    // Assess
    expect(drift.previousRunId).toBeUndefined();
    expect(drift.appeared.map((e) => e.key)).toHaveLength(run1.findings.length);
    expect(drift.becameNoncompliant).toEqual([]);
    expect(drift.appeared.find((e) => e.bucket === 'web-assets')).toMatchObject({ to: 'would-remediate' });
  });

  it('reports what became non-compliant, got fixed, changed, appeared, disappeared and lost its exemption', () => {
    // Prepare
    const [run1, run2] = threeRuns();

    // Act
    const drift = computeDrift(run1, run2);

    // Assess
    const keys = (list: { key: string }[]) => list.map((e) => e.key);
    expect(drift.previousRunId).toBe('run-1');
    expect(keys(drift.becameNoncompliant)).toEqual(['cn-hangzhou/prod-logs']);
    expect(drift.becameNoncompliant[0]).toMatchObject({ from: 'compliant', to: 'noncompliant' });
    expect(keys(drift.fixed)).toEqual(['cn-beijing/team-a-uploads']);
    expect(keys(drift.exemptionsExpired)).toEqual(['cn-shanghai/legacy-archive']);
    expect(keys(drift.changed)).toEqual(['cn-shanghai/web-assets']);
    expect(drift.changed[0]).toMatchObject({ from: 'would-remediate', to: 'blocked' });
    expect(keys(drift.appeared)).toEqual(['cn-beijing/new-bucket']);
    expect(keys(drift.disappeared)).toEqual(['cn-beijing/finance-reports']);
    expect(drift.disappeared[0]).toMatchObject({ from: 'blocked' });
    expect(drift.unchangedProblems).toBe(1); // ops-backup: error both times
  });

  it('lists only the newly fixed bucket on the third run and counts the rest as unchanged', () => {
    // Prepare
    const [, run2, run3] = threeRuns();

    // Act
    const drift = computeDrift(run2, run3);

    // Assess
    expect(drift.fixed.map((e) => e.key)).toEqual(['cn-hangzhou/prod-logs']);
    expect(drift.fixed[0]).toMatchObject({ from: 'noncompliant', to: 'remediated' });
    expect(
      [
        drift.becameNoncompliant,
        drift.changed,
        drift.appeared,
        drift.disappeared,
        drift.exemptionsExpired,
      ].flat(),
    ).toEqual([]);
    expect(drift.unchangedProblems).toBe(4);
  });

  it('finds no drift between a report and itself', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const drift = computeDrift(report, report);

    // Assess
    expect(hasDrift(drift)).toBe(false);
    expect(drift.unchangedProblems).toBe(4);
  });

  it('keys buckets by region, so the same name in two regions is two buckets', () => {
    // Prepare
    const prev = sampleReport();
    const cur = nextRun(prev, 'run-2', (fs) => set(fs, 'prod-logs', { region: 'cn-shenzhen' }));

    // Act
    const drift = computeDrift(prev, cur);

    // Assess
    expect(drift.appeared.map((e) => e.key)).toEqual(['cn-shenzhen/prod-logs']);
    expect(drift.disappeared.map((e) => e.key)).toEqual(['cn-hangzhou/prod-logs']);
  });

  it('records whether the previous run was incomplete', () => {
    // Prepare
    const prev = sampleReport({ incomplete: { reason: 'deadline', unchecked: 3 } });

    // Act
    const drift = computeDrift(prev, sampleReport());

    // Assess
    expect(drift.previousIncomplete).toBe(true);
  });
});

describe('renderDriftText', () => {
  it('renders each change under its heading in the terminal table', () => {
    // Prepare
    const [run1, run2] = threeRuns();

    // Act
    const text = renderDriftText(computeDrift(run1, run2), 'table');

    // Assess
    expect(text).toContain('Became non-compliant (1):\n  cn-hangzhou/prod-logs  compliant -> noncompliant');
    expect(text).toContain('Disappeared (1):\n  cn-beijing/finance-reports  blocked -> (gone)');
    expect(text).toContain('Appeared (1):\n  cn-beijing/new-bucket  (new) -> noncompliant');
  });

  it('renders Markdown tables with pipes escaped', () => {
    // Prepare
    const [run1, run2] = threeRuns();
    const drift = computeDrift(run1, run2);
    drift.fixed[0]!.reason = 'a | b';

    // Act
    const md = renderDriftText(drift, 'md');

    // Assess
    expect(md).toContain('### Fixed (1)');
    expect(md).toContain('| team-a-uploads | cn-beijing | noncompliant -> remediated | a \\| b |');
  });

  it('says a first run is the baseline instead of listing every bucket', () => {
    // Prepare
    const drift = computeDrift(undefined, sampleReport());

    // Act
    const text = renderDriftText(drift, 'md');

    // Assess
    expect(text).toContain('No previous report: this run (7 buckets) is the baseline.');
    expect(text).not.toContain('prod-logs');
  });
});

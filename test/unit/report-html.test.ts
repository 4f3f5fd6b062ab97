import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeDrift } from '../../shared/report/drift.js';
import { escapeHtml, renderHtml } from '../../shared/report/html.js';
import { HOSTILE_REASON, sampleReport } from '../report/sample-report.js';

function inline(html: string, tag: 'script' | 'style'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

describe('renderHtml', () => {
  it('escapes every untrusted value so no markup from a finding reaches the page', () => {
    // Prepare
    const report = sampleReport();
    report.findings[0]!.bucket = '"><img src=x onerror=alert(1)>';

    // Act
    const html = renderHtml(report);

    // Assess
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img');
    expect(html).toContain(escapeHtml(HOSTILE_REASON));
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('prints no markup from a tampered report read back from storage', () => {
    // Prepare
    const report = sampleReport();
    const tampered = JSON.parse(JSON.stringify(report).replace('"status":"error"', '"status":"x\\"><b>x"'));
    tampered.summary.total = '<i>7</i>';

    // Act
    const html = renderHtml(tampered);

    // Assess
    expect(html).not.toMatch(/<b>x|<i>7/);
    expect(html).toContain('<b id="count-total">0</b>');
  });

  it('is self-contained: no link, src, href, url() or import to fetch anything', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const html = renderHtml(report);

    // Assess
    expect(html).not.toMatch(/<link\b|\ssrc=|\shref=|url\(|@import/i);
    expect(html).toContain("default-src 'none'");
  });

  it('pins the inline style and script with the hashes in its Content-Security-Policy', () => {
    // Prepare
    const html = renderHtml(sampleReport());
    const hash = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;

    // Act
    const [script] = inline(html, 'script');
    const [style] = inline(html, 'style');

    // Assess
    expect(html).toContain(`script-src ${hash(script ?? '')}`);
    expect(html).toContain(`style-src ${hash(style ?? '')}`);
  });

  it('shows the counts, both charts, the CIS mapping and the run metadata', () => {
    // Prepare
    const report = sampleReport({ incomplete: { reason: 'deadline reached', unchecked: 2 } });

    // Act
    const html = renderHtml(report);

    // Assess
    expect(html).toContain('<b id="count-total">7</b>');
    expect(html).toContain('<b id="count-noncompliant">1</b>');
    expect(html).toContain('<svg id="chart-status"');
    expect(html).toContain('<svg id="chart-region"');
    expect(html).toContain('<title>cn-beijing noncompliant: 1</title>');
    expect(html).toContain('<span data-cis="5.9">2 pass, 1 fail, 0 exempt</span>');
    expect(html).toContain('<span data-cis="5.8">2 pass, 3 fail, 0 exempt</span>');
    for (const value of [report.runId, report.policy.sha256, report.policy.source, report.tool.version]) {
      expect(html).toContain(value);
    }
    expect(html).toContain('2 buckets were not checked (deadline reached)');
    expect(html).toContain('(4.5 s)');
  });

  it('includes the drift section when the report carries one', () => {
    // Prepare
    const previous = sampleReport({ runId: 'run-0' });
    const report = sampleReport();
    report.findings[0]!.status = 'noncompliant';
    report.drift = computeDrift(previous, report);

    // Act
    const html = renderHtml(report);

    // Assess
    expect(html).toContain('<section id="drift"><h2>Changes since run <code>run-0</code></h2>');
    expect(html).toContain('<h3>Became non-compliant (1)</h3>');
  });
});

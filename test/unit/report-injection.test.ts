/**
 * Output injection (issue 14): text that reaches a report from outside (OSS error messages, exemption
 * reasons, bucket names and run ids of a previous report, the policy path) must stay text. The Markdown
 * report carries no HTML tag, link, autolink or image made from it, and code spans survive backticks;
 * the terminal table and drift text carry no escape sequence and no line the data drew itself.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../shared/model.js';
import { computeDrift, renderDriftText } from '../../shared/report/drift.js';
import { mdCode, mdText } from '../../shared/report/md-escape.js';
import { renderMarkdown, renderTable } from '../../shared/report/render.js';
import { hasControl } from '../../shared/safe-text.js';
import { sampleReport } from '../report/sample-report.js';

const ATTACKS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[click](javascript:alert(1))',
  '![pixel](https://evil.example/p.png)',
  '<javascript:alert(1)>',
  '<https://evil.example/>',
  '`code` and ``more``',
  '| forged | cell |',
  '&lt;script&gt; as entities',
  '\u001b[2J\u001b[H ALL COMPLIANT',
  'line one\nline two\r\nline three\u2028four',
  '\u202eevil\u202c',
];

function hostileReport() {
  const base = sampleReport();
  // One finding per attack as its reason, another attack as its rule id.
  const findings: Finding[] = ATTACKS.map((attack, i) => ({
    ...(base.findings[i % base.findings.length] as Finding),
    bucket: `bucket-${i}`,
    reason: attack,
    ruleId: ATTACKS[(i + 3) % ATTACKS.length] as string,
  }));
  return sampleReport({
    findings,
    runId: 'run-`1`\u001b[31m',
    policy: { source: 'policies/`odd`` name`.yaml', sha256: base.policy.sha256 },
  });
}

/** Markdown constructs that would render as markup: raw tags, links, images, autolinks. */
const MARKUP = [/<[a-z!/]/i, /(^|[^\\])\]\(/, /(^|[^\\])!\[/, /<[a-z]+:/i];

describe('report output against injection', () => {
  it('renders hostile text in Markdown as text: no tag, link, image or autolink, escapes as written', () => {
    // Prepare
    const report = hostileReport();

    // Act
    const md = renderMarkdown(report);

    // Assess
    for (const re of MARKUP) expect(md, String(re)).not.toMatch(re);
    expect(md).toContain('&lt;script>alert(1)&lt;/script>');
    expect(md).toContain('&amp;lt;script&amp;gt;');
    expect(md).toContain('\\[click\\](javascript:alert(1))');
    for (const line of md.split('\n')) expect(hasControl(line), JSON.stringify(line)).toBe(false);
    // Every findings row has exactly the table's 8 unescaped pipes.
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));
    for (const row of rows) {
      const pipes = row.replace(/\\\|/g, '').match(/\|/g) ?? [];
      expect([3, 8]).toContain(pipes.length);
    }
  });

  it('fences the policy path in a code span longer than any backtick run inside it', () => {
    // Prepare
    const source = 'policies/`odd`` name`.yaml';

    // Act
    const md = renderMarkdown(hostileReport());
    const span = mdCode(source);

    // Assess
    expect(span).toBe('```policies/`odd`` name`.yaml```');
    expect(md).toContain(`- Policy: ${span} (sha256 `);
    expect(mdCode('`')).toBe('`` ` ``');
  });

  it('writes escape sequences and line breaks visibly in the terminal table: one line per bucket', () => {
    // Prepare
    const report = hostileReport();

    // Act
    const table = renderTable(report, { maxReason: 200 });

    // Assess
    for (const line of table.split('\n')) expect(hasControl(line), JSON.stringify(line)).toBe(false);
    expect(table).toContain('\\e[2J\\e[H ALL COMPLIANT');
    expect(table).toContain('\\u202eevil\\u202c');
    const lines = table.trimEnd().split('\n');
    // Two header lines, a blank, the column header, one row per finding.
    expect(lines).toHaveLength(4 + report.findings.length);
  });

  it('writes a previous report’s hostile run id and bucket names visibly in drift text and Markdown', () => {
    // Prepare
    const previous = sampleReport({ runId: 'prev\u001b[2J`x`' });
    const current = hostileReport();
    previous.findings = previous.findings.map((f) => ({ ...f, status: 'compliant', reason: 'ok' }));
    const drift = computeDrift(previous, current);

    // Act
    const text = renderDriftText(drift, 'table');
    const md = renderDriftText(drift, 'md');

    // Assess
    expect(text).not.toContain('\u001b');
    expect(text).toContain('prev\\e[2J`x`');
    expect(md).not.toContain('\u001b');
    expect(md).toContain('`` prev\\e[2J`x` ``');
    for (const re of MARKUP) expect(md, String(re)).not.toMatch(re);
  });

  it('escapes only what Markdown or HTML would read: plain names stay readable', () => {
    // Act
    const plain = mdText('prod-logs (cn-hangzhou): noncompliant -> remediated');

    // Assess
    expect(plain).toBe('prod-logs (cn-hangzhou): noncompliant -> remediated');
  });
});

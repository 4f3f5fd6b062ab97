/**
 * The HTML report in a real browser: Debian's `chromium`, driven by playwright-core. Skipped (by
 * condition) where chromium is not installed; CI installs it.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../../shared/model.js';
import { computeDrift } from '../../shared/report/drift.js';
import { renderHtml } from '../../shared/report/html.js';
import { sampleReport } from './sample-report.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.runIf(existsSync(CHROMIUM))('HTML report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oss-sse-guard-html-'));
    const previous = sampleReport({ runId: 'run-0' });
    previous.findings[2]!.status = 'noncompliant';
    const report = sampleReport();
    report.findings[0]!.status = 'noncompliant';
    report.summary = summarize(report.findings);
    report.drift = computeDrift(previous, report);
    const file = join(dir, `${report.runId}.html`);
    writeFileSync(file, renderHtml(report));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(pathToFileURL(file).href);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    // KEEP_SCREENSHOTS=1 keeps the page and its screenshot for a human to look at.
    if (!process.env.KEEP_SCREENSHOTS) rmSync(dir, { recursive: true, force: true });
  });

  const visibleBuckets = () =>
    page.$$eval('#findings tbody tr:not([hidden])', (rows) => rows.map((r) => r.cells[0]?.textContent ?? ''));

  it('shows the counts of the report without script errors or network requests', async () => {
    // Prepare
    const count = (id: string) => page.textContent(`#count-${id}`);

    // Act
    const [total, blocked, shown] = [
      await count('total'),
      await count('blocked'),
      await page.textContent('#shown'),
    ];

    // Assess
    expect([total, blocked, shown]).toEqual(['7', '1', '7']);
    expect(await page.textContent('#headline')).toBe(
      '1 of 7 buckets compliant (14 %), 1 exempt, 5 need attention.',
    );
    expect(await page.locator('#findings tbody tr').count()).toBe(7);
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expect(await page.locator('#chart-region rect').count()).toBeGreaterThan(7);
  });

  it('hides the rows of other statuses when filtering by status, and by text', async () => {
    // Prepare
    await page.selectOption('#filter-status', 'noncompliant');

    // Act
    const byStatus = await visibleBuckets();
    await page.selectOption('#filter-status', '');
    await page.fill('#filter-text', 'PROD-');
    const byText = await visibleBuckets();
    await page.fill('#filter-text', '');

    // Assess
    expect(byStatus.sort()).toEqual(['prod-logs', 'team-a-uploads']);
    expect(byText.sort()).toEqual(['prod-data', 'prod-logs']);
    expect(await page.textContent('#shown')).toBe('7');
  });

  it('filters to a status when its summary card is clicked', async () => {
    // Prepare
    const card = page.locator('button.card[data-filter="error"]');

    // Act
    await card.click();
    const rows = await visibleBuckets();
    await page.locator('button.card[data-filter=""]').click();

    // Assess
    expect(rows).toEqual(['ops-backup']);
    expect(await page.inputValue('#filter-status')).toBe('');
  });

  it('sorts by a column when its header is clicked, and reverses on a second click', async () => {
    // Prepare
    const header = page.locator('#findings thead button', { hasText: 'Bucket' });

    // Act
    await header.click();
    const ascending = await visibleBuckets();
    await header.click();
    const descending = await visibleBuckets();
    await page.locator('#findings thead button', { hasText: 'Status' }).click();
    const worstFirst = await visibleBuckets();

    // Assess
    const sorted = [...ascending].sort();
    expect(ascending).toEqual(sorted);
    expect(descending).toEqual([...sorted].reverse());
    expect(worstFirst.slice(0, 2)).toEqual(['finance-reports', 'ops-backup']);
    expect(await page.getAttribute('#findings thead th:nth-child(3)', 'aria-sort')).toBe('ascending');
  });

  it('takes a full-page screenshot', async () => {
    // Prepare
    const path = join(dir, 'report.png');

    // Act
    await page.screenshot({ path, fullPage: true });

    // Assess
    expect(existsSync(path)).toBe(true);
    process.stdout.write(`screenshot: ${path}\n`);
  });
});

/**
 * The organization bench's aggregator, alone in its process (bench/cases/org.ts): given a finished
 * fan-out run's folder, it runs the aggregate step the last worker runs (read every account's result,
 * build the organization report, publish JSON/HTML/CSV/Markdown and latest.json to a local folder) and
 * samples its own memory. Prints one line `BENCH_RESULT {json}`.
 *
 * Usage: node bin/run-ts.js bench/org-aggregate-child.ts RUN_DIR REPORT_DIR
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalRunStore } from '../shared/backfill/store.js';
import { createLogger } from '../shared/log.js';
import { aggregateOrgRun, type OrgManifest, orgPaths } from '../shared/org/fan-out.js';
import { publishReport } from '../shared/report/publish.js';
import { storeFor } from '../shared/report/store.js';

const MB = 1024 * 1024;
const [runDir, reportDir] = process.argv.slice(2);
if (!runDir || !reportDir) throw new Error('usage: org-aggregate-child.ts RUN_DIR REPORT_DIR');
let peak = process.memoryUsage().rss / MB;
const baseline = peak;
const timer = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss / MB);
}, 20);
await rm(join(runDir, orgPaths.lock), { force: true });
await rm(join(runDir, orgPaths.aggregated), { force: true });
const store = new LocalRunStore(runDir);
const manifest = JSON.parse(await readFile(join(runDir, orgPaths.manifest), 'utf8')) as OrgManifest;
const logger = createLogger({ level: 'silent' });
const started = performance.now();
let findings = 0;
const unused = () => Promise.reject(new Error('not used by the aggregate step'));
await aggregateOrgRun(
  {
    directory: { listAccounts: unused, listFolders: unused },
    sts: { assumeRole: unused },
    depsFor: () => {
      throw new Error('not used');
    },
    logger,
    storeFor: () => store,
    invoker: { dispatch: unused },
    publish: async (report) => {
      findings = report.findings.length;
      return publishReport(report, {
        store: storeFor(reportDir),
        formats: ['json', 'html', 'csv', 'md'],
        logger,
      });
    },
  },
  store,
  manifest,
  'bench',
);
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss / MB);
process.stdout.write(
  `BENCH_RESULT ${JSON.stringify({ peakRssMB: peak, baselineRssMB: baseline, findings, ms: performance.now() - started })}\n`,
);

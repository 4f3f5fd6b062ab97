/**
 * `oss-sse-guard demo --org` (`npm start -- --org`): the embedded emulators' demo organization (a
 * Resource Directory with members in two folders) audited with `audit --org --remediate` and
 * examples/policy-org.yaml. Shows a member without the auditor role and one whose role lacks a permission
 * as `error` entries of those accounts, and an inactive member skipped. Exit 0 when it ran as designed.
 */
import { fileURLToPath } from 'node:url';
import { auditJob } from '../shared/audit/job.js';
import { settingsFromEnv } from '../shared/config.js';
import { buildOrgDeps } from '../shared/org/runtime.js';
import { renderTable } from '../shared/report/render.js';
import { buildRuntime } from '../shared/runtime.js';
import { cliLogger } from './output.js';

export const DEMO_ORG_POLICY = fileURLToPath(new URL('../examples/policy-org.yaml', import.meta.url));

export async function demoOrgCommand(opts: { out?: string }): Promise<number> {
  // The emulator is loaded only by the commands that run it (docs/architecture.md).
  const { startEmulators } = await import('../emulator/index.js');
  const emu = await startEmulators({ seed: 'demo' });
  try {
    const settings = settingsFromEnv({ ...emu.env });
    const logger = cliLogger();
    const runtime = buildRuntime(settings, emu.credentials, logger);
    const { report, summary } = await auditJob(runtime, {
      settings: {
        ...settings,
        policyRef: DEMO_ORG_POLICY,
        dryRun: false,
        reportLocation: `${opts.out ?? 'reports'}/org`,
      },
      env: {},
      formats: ['json', 'html', 'csv', 'md', 'table'],
      organization: buildOrgDeps(settings, emu.credentials, logger),
    });
    process.stdout.write(renderTable(report));
    process.stdout.write(`\nreports written: ${summary.reports.join(', ')}\n`);
    const accounts = new Map(report.organization?.accounts.map((a) => [a.accountName, a]));
    const asDesigned =
      accounts.get('dev-sandbox')?.error?.code === 'EntityNotExist.Role' &&
      (accounts.get('data-lake')?.byStatus.error ?? 0) > 0 &&
      (accounts.get('payments-prod')?.byStatus.error ?? 1) === 0 &&
      report.organization?.skipped.some((s) => s.accountName === 'closing-account') === true;
    if (!asDesigned) {
      process.stderr.write('demo --org: the organization run did not show what it was designed to show\n');
      return 1;
    }
    process.stdout.write('demo --org: every member shown as designed\n');
    return 0;
  } finally {
    await emu.close();
  }
}

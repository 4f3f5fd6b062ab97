/**
 * `oss-sse-guard demo` (`npm start`): starts the embedded emulators with the demo account, runs
 * `audit --remediate` with examples/policy.yaml, prints the table and writes the reports. It exits 0
 * when every demo bucket ended with the status the demo was designed to show. Each run starts from a
 * fresh in-memory account, so re-running is harmless.
 */
import { existsSync, readFileSync } from 'node:fs';
import { auditJob } from '../shared/audit/job.js';
import { settingsFromEnv } from '../shared/config.js';
import { renderTable } from '../shared/report/render.js';
import { buildRuntime } from '../shared/runtime.js';
import { packageFile } from '../shared/tool.js';
import { cliLogger } from './output.js';
import { type CommandSpec, runCommand } from './run.js';

export const DEMO_POLICY = packageFile('examples/policy.yaml');

/**
 * After the audit, the rest of the product on the deployed shape (emulator/sandbox/stories.ts): the upload
 * guard, the bucket watch, and the next scheduled run's drift. It needs the checkout's s.yaml and builds
 * the function bundles when dist/ has none.
 */
async function stories(): Promise<number> {
  const sYaml = packageFile('s.yaml');
  if (!existsSync(sYaml)) {
    process.stdout.write(
      '\n(the deployed-shape stories need the source checkout: s.yaml and the function bundles)\n',
    );
    return 0;
  }
  process.stdout.write(
    '\nThe deployed shape (s.yaml) in the emulators: functions, triggers and roles wired\n',
  );
  const { runStories } = await import('../emulator/sandbox/stories.js');
  const results = await runStories({
    policyText: readFileSync(DEMO_POLICY, 'utf8'),
    write: (text) => process.stdout.write(text),
  });
  const wrong = results.filter((r) => !r.ok);
  for (const r of wrong) process.stderr.write(`demo: story "${r.title}" did not end as designed\n`);
  if (wrong.length === 0) process.stdout.write('\ndemo: every story ended as designed\n');
  return wrong.length === 0 ? 0 : 1;
}

const DEMO: CommandSpec = { failure: 'the demo could not run', failedCode: 1 };

export function demoCommand(opts: { out?: string; stories?: boolean; org?: boolean }): Promise<number> {
  return runCommand(DEMO, () => demo(opts));
}

async function demo(opts: { out?: string; stories?: boolean; org?: boolean }): Promise<number> {
  if (opts.org) return (await import('./demo-org.js')).demoOrgCommand(opts);
  // The emulator is loaded only by the commands that run it (docs/architecture.md).
  const { startEmulators } = await import('../emulator/index.js');
  const { DEMO_BUCKETS } = await import('../emulator/seed.js');
  const emu = await startEmulators({ seed: 'demo' });
  try {
    const settings = settingsFromEnv({ ...emu.env });
    const runtime = buildRuntime(settings, emu.credentials, cliLogger());
    const { report, summary } = await auditJob(runtime, {
      settings: { ...settings, policyRef: DEMO_POLICY, dryRun: false, reportLocation: opts.out ?? 'reports' },
      // The demo never alerts: a webhook configured in the user's environment is not for the emulator.
      env: {},
      formats: ['json', 'html', 'csv', 'md', 'table'],
    });
    process.stdout.write(renderTable(report));
    process.stdout.write(`\nreports written: ${summary.reports.join(', ')}\n`);
    const wrong = DEMO_BUCKETS.filter(
      (b) => report.findings.find((f) => f.bucket === b.name)?.status !== b.expect,
    );
    if (wrong.length > 0) {
      for (const b of wrong) {
        const got = report.findings.find((f) => f.bucket === b.name);
        process.stderr.write(`demo: ${b.name} ended ${got?.status ?? 'missing'}; expected ${b.expect}\n`);
      }
      return 1;
    }
    process.stdout.write(
      'demo: every status shown as designed (a real audit would exit 1 here: some buckets remain non-compliant or blocked)\n',
    );
  } finally {
    await emu.close();
  }
  return opts.stories === false ? 0 : stories();
}

/**
 * The memory case's auditor, bundled (bench/cases/memory.ts) and run in a process of its own so its peak
 * RSS is the audit's alone: a dry-run audit of every bucket under a prefix with the runtime the CLI
 * builds, then published (drift, every format, manifest, latest.json) to a local folder, as
 * `audit --format table,json,csv,md,html --out DIR` does. Prints one JSON line with its figures.
 * The audit and publish functions are passed in, so a proposal's patched copies can be measured.
 */
import { stat } from 'node:fs/promises';
import type { runAudit as RunAudit } from '../shared/audit/run.js';
import { resolveCredentials } from '../shared/cloud/credentials.js';
import { settingsFromEnv } from '../shared/config.js';
import { silentLogger } from '../shared/log.js';
import { policyFromText } from '../shared/policy/load.js';
import type { publishReport as PublishReport } from '../shared/report/publish.js';
import { FORMATS } from '../shared/report/render.js';
import { LocalStore } from '../shared/report/store.js';
import { buildRuntime } from '../shared/runtime.js';
import { DirectEncryptionGateway } from './proposals/direct-gateway.js';

export interface MemoryAuditModules {
  runAudit: typeof RunAudit;
  publishReport: typeof PublishReport;
  /** `direct`: Proposal B's GetBucketEncryption. */
  gateway: 'stock' | 'direct';
}

export interface MemoryFigures {
  findings: number;
  errors: number;
  auditMs: number;
  totalMs: number;
  cpuMs: number;
  baselineRssMB: number;
  afterAuditRssMB: number;
  peakRssMB: number;
  reportFiles: number;
  reportMB: number;
}

const rssMB = () => process.resourceUsage().maxRSS / 1024;

/** Usage (env: the emulator's endpoints and key): node BUNDLE PREFIX CONCURRENCY OUTDIR */
export async function memoryAudit(mods: MemoryAuditModules): Promise<void> {
  const [prefix = 'mem', concurrency = '64', outDir = 'reports/bench-memory'] = process.argv.slice(2);
  const baselineRssMB = rssMB();
  const settings = settingsFromEnv();
  const credentials = await resolveCredentials();
  const runtime = buildRuntime(settings, credentials, silentLogger());
  const oss =
    mods.gateway === 'direct'
      ? new DirectEncryptionGateway({
          credentials,
          endpoint: settings.ossEndpoint,
          homeRegion: settings.homeRegion,
        })
      : runtime.oss;
  const t0 = performance.now();
  const report = await mods.runAudit(
    { ...runtime, oss },
    {
      policy: policyFromText('version: 1\n', 'bench: version 1'),
      dryRun: true,
      prefix,
      concurrency: Number(concurrency),
    },
  );
  const auditMs = performance.now() - t0;
  const afterAuditRssMB = rssMB();
  const { written } = await mods.publishReport(report, { store: new LocalStore(outDir), formats: FORMATS });
  let bytes = 0;
  for (const path of written) bytes += (await stat(path)).size;
  const cpu = process.cpuUsage();
  const figures: MemoryFigures = {
    findings: report.findings.length,
    errors: report.summary.byStatus.error,
    auditMs,
    totalMs: performance.now() - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    baselineRssMB,
    afterAuditRssMB,
    peakRssMB: rssMB(),
    reportFiles: written.length,
    reportMB: bytes / 1024 / 1024,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

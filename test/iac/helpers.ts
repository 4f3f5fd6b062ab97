/** Shared bits of the IaC tests: fixture paths, an inline policy, and a fixed clock. */
import { fileURLToPath } from 'node:url';
import { checkIacFiles } from '../../shared/iac/check.js';
import type { IacFinding, IacReport } from '../../shared/iac/report.js';
import { policyFromText } from '../../shared/policy/load.js';

export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

export const NOW = new Date('2026-12-01T00:00:00Z');

export function check(
  files: string[],
  policyText: string,
  parameters: Record<string, string> = {},
): Promise<IacReport> {
  return checkIacFiles(files, {
    policy: policyFromText(policyText, 'test-policy.yaml'),
    parameters: new Map(Object.entries(parameters)),
    now: () => NOW,
    runId: 'test-run',
  });
}

export const byAddress = (r: IacReport) =>
  new Map(r.findings.map((f): [string, IacFinding] => [f.address, f]));

/**
 * The IaC report as SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), so code-scanning
 * tools show a planned bucket's problem on its line: one SARIF rule per policy rule (and `defaults`), one
 * result per bucket that is not compliant (`error` noncompliant, `warning` unknown, exempt as a result
 * with an external suppression carrying the exemption's reason), located at the file and line where the
 * source gives it, with the resource address as the logical location and the reason as the message.
 */
import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cisControls, resolveRule } from '../policy/evaluate.js';
import { describeRequirement } from '../policy/levels.js';
import type { Policy, Rule } from '../policy/schema.js';
import { ruleAlone } from './judge.js';
import type { IacFinding, IacReport } from './report.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** A file as a SARIF `uri-reference`: relative to `cwd` when inside it, else a `file:` URL. */
export function artifactUri(file: string, cwd: string): string {
  const abs = resolvePath(cwd, file);
  const rel = relative(cwd, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return pathToFileURL(abs).href;
  return rel
    .split(sep)
    .map((part) => encodeURIComponent(part))
    .join('/');
}

function selectors(rule: Rule): string {
  const parts: string[] = [];
  if (rule.buckets) parts.push(`buckets ${rule.buckets.join(', ')}`);
  if (rule.regions) parts.push(`regions ${rule.regions.join(', ')}`);
  if (rule.tags)
    parts.push(
      `tags ${Object.entries(rule.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
  return parts.length > 0 ? parts.join('; ') : 'every bucket';
}

interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: 'error' | 'note' };
  properties: { tags: string[]; cis: string[] };
}

function sarifRule(policy: Policy, rule: Rule | undefined): SarifRule {
  const alone = rule ? ruleAlone(policy, rule) : { ...policy, rules: [] };
  const r = resolveRule(alone, { name: '', region: '' });
  const requirement = describeRequirement(r.sse, r.match);
  const what = rule
    ? `Policy rule ${rule.id} (${selectors(rule)})`
    : 'Policy defaults (buckets no rule selects)';
  const head = r.exempt ? `exempt: ${r.exempt.reason}` : `OSS default encryption ${requirement}`;
  return {
    id: r.ruleId,
    shortDescription: { text: head },
    fullDescription: { text: `${what}: ${rule?.description ?? head}` },
    help: {
      text: `Give the bucket default encryption that meets ${requirement}: Terraform server_side_encryption_rule or alicloud_oss_bucket_server_side_encryption; ROS ServerSideEncryptionConfiguration.`,
    },
    defaultConfiguration: { level: r.exempt ? 'note' : 'error' },
    properties: { tags: ['security', 'encryption', 'oss'], cis: cisControls(r.sse) },
  };
}

function fingerprint(f: IacFinding): string {
  return createHash('sha256').update(`${f.file}\n${f.address}\n${f.ruleId}`).digest('hex').slice(0, 32);
}

/** Renders the SARIF log (pretty JSON with a final newline). `cwd` makes file URIs repository-relative. */
export function renderSarif(report: IacReport, policy: Policy, opts: { cwd?: string } = {}): string {
  const cwd = opts.cwd ?? process.cwd();
  const rules = [...policy.rules.map((r) => sarifRule(policy, r)), sarifRule(policy, undefined)];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = report.findings
    .filter((f) => f.status !== 'compliant')
    .map((f) => ({
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId) ?? rules.length - 1,
      level: f.status === 'noncompliant' ? 'error' : f.status === 'unknown' ? 'warning' : 'note',
      kind: f.status === 'unknown' ? 'review' : 'fail',
      message: { text: `Bucket ${f.bucket} (${f.address}) is ${f.status}: ${f.reason}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: artifactUri(f.file, cwd) },
            ...(f.line ? { region: { startLine: f.line } } : {}),
          },
          logicalLocations: [{ fullyQualifiedName: f.address, kind: 'resource' }],
        },
      ],
      partialFingerprints: { 'ossSseGuardResource/v1': fingerprint(f) },
      ...(f.status === 'exempt'
        ? { suppressions: [{ kind: 'external', status: 'accepted', justification: f.reason }] }
        : {}),
      properties: {
        bucket: f.bucket,
        region: f.region,
        status: f.status,
        resourceType: f.resourceType,
        ...(f.requirement ? { requirement: f.requirement } : {}),
      },
    }));
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules,
          },
        },
        automationDetails: { id: `oss-sse-guard/iac/${report.runId}` },
        artifacts: report.files.map((file) => ({ location: { uri: artifactUri(file, cwd) } })),
        invocations: [
          { executionSuccessful: true, startTimeUtc: report.startedAt, endTimeUtc: report.finishedAt },
        ],
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/**
 * `iac check` as one entry point: read each file, tell a Terraform plan JSON from a ROS template, parse
 * it into planned buckets, judge each against the policy (judge.ts, i.e. the audit's own evaluation), and
 * build the report. No cloud call is made: what only the cloud can tell is reported as such.
 */
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { LoadedPolicy } from '../policy/load.js';
import { TOOL } from '../tool.js';
import { judgeBucket } from './judge.js';
import { type IacFinding, type IacReport, summarizeIac } from './report.js';
import { parseRosTemplate, parseTemplateText } from './ros-template.js';
import { isObject } from './terraform-config.js';
import { parseTerraformPlan } from './terraform-plan.js';
import { type IacBucket, IacInputError } from './types.js';

/** Plans of very large configurations reach tens of MB; anything beyond this is refused before reading. */
export const MAX_IAC_BYTES = 256 * 1024 * 1024;

interface Parsed {
  buckets: IacBucket[];
  aliases: Map<string, string>;
  newKeys: Set<string>;
}

/** Parses one file's text: a Terraform plan JSON or a ROS template (YAML or JSON). */
export function parseIacText(file: string, text: string, parameters: ReadonlyMap<string, string>): Parsed {
  if (text.startsWith('PK')) {
    throw new IacInputError(
      file,
      'is a binary Terraform plan file; give `terraform show -json PLANFILE > plan.json`',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (isObject(json) && 'format_version' in json) {
    if (!('resource_changes' in json) && !('planned_values' in json)) {
      throw new IacInputError(
        file,
        'is Terraform state or configuration JSON, not a plan; give `terraform show -json PLANFILE`',
      );
    }
    return parseTerraformPlan(file, text, json);
  }
  const { data, lineOf } = parseTemplateText(file, text);
  if (isObject(data) && 'ROSTemplateFormatVersion' in data)
    return parseRosTemplate(file, data, lineOf, parameters);
  throw new IacInputError(
    file,
    'is neither a Terraform plan JSON (format_version, resource_changes) nor a ROS template (ROSTemplateFormatVersion)',
  );
}

async function readIacFile(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if (info.size > MAX_IAC_BYTES)
      throw new IacInputError(file, `is ${info.size} bytes; the limit is ${MAX_IAC_BYTES}`);
    return await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof IacInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new IacInputError(file, `cannot be read (${code ?? (err as Error).message})`, { cause: err });
  }
}

export interface IacCheckOptions {
  policy: LoadedPolicy;
  /** `--parameter K=V`: ROS parameters and pseudo parameters (`ALIYUN::Region`). */
  parameters?: ReadonlyMap<string, string>;
  now?: () => Date;
  runId?: string;
}

/** Judges parsed buckets into findings (pure apart from the clock passed in). */
export function iacFindings(parsed: Parsed, opts: { policy: LoadedPolicy; now: Date }): IacFinding[] {
  return parsed.buckets.map((b): IacFinding => {
    const v = judgeBucket(opts.policy.policy, b, {
      now: opts.now,
      aliases: parsed.aliases,
      newKeys: parsed.newKeys,
    });
    return {
      bucket: b.name.known ? b.name.value : '(known after apply)',
      region: b.region.known ? b.region.value : '(unknown)',
      status: v.status,
      observed: v.observed,
      required: v.required,
      ruleId: v.ruleId,
      requirement: v.requirement,
      reason: v.reason,
      cis: v.cis,
      file: b.file,
      address: b.address,
      ...(b.line !== undefined ? { line: b.line } : {}),
      resourceType: b.resourceType,
      source: b.source,
    };
  });
}

/**
 * Checks IaC files against a policy. Throws `IacInputError` for a file that cannot be read or parsed
 * (before any verdict is given: a half-read file is never reported as compliant).
 */
export async function checkIacFiles(files: readonly string[], opts: IacCheckOptions): Promise<IacReport> {
  const now = opts.now ?? (() => new Date());
  const startedAt = now();
  const parameters = opts.parameters ?? new Map<string, string>();
  const parsed: Parsed[] = [];
  for (const file of files) parsed.push(parseIacText(file, await readIacFile(file), parameters));
  const at = now();
  const findings = parsed.flatMap((p) => iacFindings(p, { policy: opts.policy, now: at }));
  return {
    schemaVersion: 1,
    kind: 'iac',
    runId: opts.runId ?? randomUUID(),
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    tool: TOOL,
    policy: { source: opts.policy.source, sha256: opts.policy.sha256 },
    files: [...files],
    summary: summarizeIac(findings),
    findings,
  };
}

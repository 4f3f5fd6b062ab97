/**
 * `oss-sse-guard iac check FILE... [--policy FILE] [--format table,json,sarif] [--parameter K=V]
 * [--out DIR]`: flags only; the check is `checkIacFiles` in shared/iac. Exit codes as `audit`: 0 every
 * planned bucket compliant or exempt, 1 some not, 2 usage, policy or input error, 3 some unknown.
 */
import { z } from 'zod';
import { EXIT } from '../shared/exit-codes.js';
import { checkIacFiles } from '../shared/iac/check.js';
import { iacExitCode, renderIacJson, renderIacTable } from '../shared/iac/report.js';
import { renderSarif } from '../shared/iac/sarif.js';
import { loadPolicy } from '../shared/policy/load.js';
import { LocalStore } from '../shared/report/store.js';
import { choices, matching, parseFlags } from './flags.js';
import { type CommandSpec, runCommand } from './run.js';

export const IAC_FORMATS = ['table', 'json', 'sarif'] as const;
type IacFormat = (typeof IAC_FORMATS)[number];
const EXT: Record<IacFormat, string> = { table: 'txt', json: 'json', sarif: 'sarif' };

export interface IacFlags {
  policy?: string;
  format?: string;
  parameter?: string[];
  out?: string;
}

const iacFlagsSchema = z.object({
  format: choices(IAC_FORMATS, 'format').default(['table']),
  parameter: z
    .array(matching(/^[^=]+=/, (v) => `"${v}" must be NAME=VALUE`))
    .default([])
    .transform((list) => new Map(list.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]))),
  out: z
    .string()
    .refine((v) => !v.startsWith('oss://'), { error: 'iac check writes to a local folder' })
    .optional(),
});

/** Validated flags, or a usage error naming the flag and value. */
export function parseIacFlags(flags: IacFlags): { formats: IacFormat[]; parameters: Map<string, string> } {
  const { format, parameter } = parseFlags(iacFlagsSchema, flags);
  return { formats: format, parameters: parameter };
}

const IAC_CHECK: CommandSpec = { failure: 'the check could not run', failedCode: EXIT.unchecked };

export function iacCheckCommand(files: string[], flags: IacFlags): Promise<number> {
  return runCommand(IAC_CHECK, () => iacCheck(files, flags));
}

async function iacCheck(files: string[], flags: IacFlags): Promise<number> {
  const { formats, parameters } = parseIacFlags(flags);
  const loaded = await loadPolicy(flags.policy ?? process.env.OSS_SSE_GUARD_POLICY);
  const report = await checkIacFiles(files, { policy: loaded, parameters });
  const render = (f: IacFormat) =>
    f === 'table'
      ? renderIacTable(report)
      : f === 'json'
        ? renderIacJson(report)
        : renderSarif(report, loaded.policy);
  if (flags.out) {
    const store = new LocalStore(flags.out);
    const written: string[] = [];
    for (const f of formats) {
      written.push(await store.write(`iac-${report.runId}.${EXT[f]}`, render(f)));
    }
    process.stderr.write(`reports written: ${written.join(', ')}\n`);
  }
  process.stdout.write(render(formats[0] ?? 'table'));
  return iacExitCode(report);
}

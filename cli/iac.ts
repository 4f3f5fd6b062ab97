/**
 * `oss-sse-guard iac check FILE... [--policy FILE] [--format table,json,sarif] [--parameter K=V]
 * [--out DIR]`: flags only; the check is `checkIacFiles` in shared/iac. Exit codes as `audit`: 0 every
 * planned bucket compliant or exempt, 1 some not, 2 usage, policy or input error, 3 some unknown.
 */
import { ConfigError, PolicyError } from '../shared/errors.js';
import { checkIacFiles } from '../shared/iac/check.js';
import { iacExitCode, renderIacJson, renderIacTable } from '../shared/iac/report.js';
import { renderSarif } from '../shared/iac/sarif.js';
import { IacInputError } from '../shared/iac/types.js';
import { loadPolicy } from '../shared/policy/load.js';
import { LocalStore } from '../shared/report/store.js';

export const IAC_FORMATS = ['table', 'json', 'sarif'] as const;
type IacFormat = (typeof IAC_FORMATS)[number];
const EXT: Record<IacFormat, string> = { table: 'txt', json: 'json', sarif: 'sarif' };

export interface IacFlags {
  policy?: string;
  format?: string;
  parameter?: string[];
  out?: string;
}

/** Validated flags, or a usage error naming the flag and value. */
export function parseIacFlags(flags: IacFlags): { formats: IacFormat[]; parameters: Map<string, string> } {
  const formats = (flags.format ?? 'table')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (formats.length === 0) throw new ConfigError('--format: give at least one format');
  for (const f of formats) {
    if (!(IAC_FORMATS as readonly string[]).includes(f)) {
      throw new ConfigError(`--format: "${f}" is not one of ${IAC_FORMATS.join(', ')}`);
    }
  }
  const parameters = new Map<string, string>();
  for (const p of flags.parameter ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--parameter: "${p}" must be NAME=VALUE`);
    parameters.set(p.slice(0, eq), p.slice(eq + 1));
  }
  if (flags.out?.startsWith('oss://')) throw new ConfigError('--out: iac check writes to a local folder');
  return { formats: formats as IacFormat[], parameters };
}

export async function iacCheckCommand(files: string[], flags: IacFlags): Promise<number> {
  try {
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
  } catch (err) {
    if (err instanceof PolicyError) {
      for (const p of err.problems) process.stderr.write(`${err.message.split(':')[0]}: ${p}\n`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof IacInputError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

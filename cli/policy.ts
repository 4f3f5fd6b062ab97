/**
 * `oss-sse-guard policy validate FILE`: exit 0 valid; 2 with one line per problem naming its path
 * (DESIGN.md section 4). The problems are this command's output, `FILE: path: problem`, not an error of
 * the run; anything else that fails goes through the runner (cli/run.ts).
 */
import { PolicyError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import { loadPolicyFile } from '../shared/policy/load.js';
import { type CommandSpec, runCommand } from './run.js';

const VALIDATE: CommandSpec = { failure: 'the policy could not be validated', failedCode: 1 };

export function policyValidateCommand(file: string): Promise<number> {
  return runCommand(VALIDATE, async () => {
    try {
      const { policy, sha256 } = await loadPolicyFile(file);
      process.stdout.write(
        `${file}: valid (version ${policy.version}, ${policy.rules.length} rules, sha256 ${sha256.slice(0, 12)})\n`,
      );
      return EXIT.ok;
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      for (const p of err.problems) process.stderr.write(`${file}: ${p}\n`);
      return EXIT.usage;
    }
  });
}

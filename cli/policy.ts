/** `oss-sse-guard policy validate FILE`: exit 0 valid; 2 with one line per problem naming its path. */
import { PolicyError } from '../shared/errors.js';
import { loadPolicyFile } from '../shared/policy/load.js';

export async function policyValidateCommand(file: string): Promise<number> {
  try {
    const { policy, sha256 } = await loadPolicyFile(file);
    process.stdout.write(
      `${file}: valid (version ${policy.version}, ${policy.rules.length} rules, sha256 ${sha256.slice(0, 12)})\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof PolicyError) {
      for (const p of err.problems) process.stderr.write(`${file}: ${p}\n`);
      return 2;
    }
    throw err;
  }
}

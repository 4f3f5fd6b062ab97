/**
 * The `oss-sse-guard` command line. It only parses arguments and calls the entry points in `shared/`
 * that the functions call too. Every command returns its exit code.
 */
import { Command, CommanderError, Option } from 'commander';
import { TOOL } from '../shared/tool.js';
import { auditCommand } from './audit.js';
import { demoCommand } from './demo.js';
import { emulatorCommand } from './emulator.js';
import { policyValidateCommand } from './policy.js';

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('oss-sse-guard')
    .description('Audit and remediate Alibaba Cloud OSS server-side encryption against a policy')
    .version(TOOL.version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('audit')
    .description('audit every bucket of the account against the policy (changes nothing without --remediate)')
    .option(
      '--policy <file>',
      'policy file, oss://bucket/key, or inline YAML (default: $OSS_SSE_GUARD_POLICY)',
    )
    .option('--remediate', 'apply PutBucketEncryption where the policy allows', false)
    .option('--format <formats>', 'table|json|csv|md|html, comma-separated; the first is printed', 'table')
    .option('--out <dir>', 'also write the report files to this folder')
    .option('--regions <list>', 'only these regions, comma-separated')
    .option('--prefix <prefix>', 'only buckets whose name starts with this')
    .option('--concurrency <n>', 'parallel bucket reads (default: the policy limits.concurrency)')
    .addOption(new Option('--deadline-seconds <s>', 'stop starting work after this many seconds').hideHelp())
    .action(async (opts) => {
      code = await auditCommand(opts);
    });

  const policy = program.command('policy').description('work with policy files');
  policy
    .command('validate <file>')
    .description('validate a policy file; prints one line per problem with its path')
    .action(async (file: string) => {
      code = await policyValidateCommand(file);
    });

  program
    .command('emulator')
    .description('run the local OSS, KMS and Function Compute emulators until killed')
    .option('--port <n>', 'OSS port; KMS and FC take the next two (default: free ports)', '0')
    .option('--seed <seed>', 'demo | empty', 'demo')
    .action(async (opts) => {
      code = await emulatorCommand(opts);
    });

  program
    .command('demo')
    .description(
      'audit --remediate of the embedded emulator demo account with examples/policy.yaml (npm start)',
    )
    .option('--out <dir>', 'report folder', 'reports')
    .action(async (opts) => {
      code = await demoCommand(opts);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage errors (already printed by commander) exit 2.
      return err.exitCode === 0 ? 0 : 2;
    }
    throw err;
  }
  return code;
}

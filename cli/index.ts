/**
 * The `oss-sse-guard` command line. It only parses arguments and calls the entry points in `shared/`
 * that the functions call too. Every command returns its exit code through the one runner (cli/run.ts),
 * which maps its errors. Each command's module is imported when that command runs, so `policy validate`
 * or `--help` never load the SDKs or the emulators.
 */
import { Command, CommanderError, Option } from 'commander';
import { TOOL } from '../shared/tool.js';
import { commanderExit, errorExit } from './run.js';

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
    .option(
      '--org',
      "audit every member account of the Resource Directory (the policy's organization section)",
    )
    .option(
      '--rerun <runId>',
      'with --org: audit again only the accounts that failed in that run (needs --out)',
    )
    .option('--local', 'with --rerun: run the workers in this process instead of Function Compute', false)
    .option(
      '--account-id <id>',
      'with --rerun: account that owns the auditor function ($OSS_SSE_GUARD_ACCOUNT_ID)',
    )
    .addOption(new Option('--deadline-seconds <s>', 'stop starting work after this many seconds').hideHelp())
    .action(async (opts) => {
      code = await (await import('./audit.js')).auditCommand(opts);
    });

  program
    .command('check-object')
    .description("print one object's SSE state; exit 0 encrypted as required, 1 not, 3 could not check")
    .requiredOption('--bucket <bucket>', 'bucket name')
    .requiredOption('--key <key>', 'object key, as stored (a URL-encoded form is also tried)')
    .option('--region <region>', "the bucket's region (default: asked with GetBucketLocation)")
    .option(
      '--policy <file>',
      'policy whose objects.sse is the requirement (default: $OSS_SSE_GUARD_POLICY, else any SSE)',
    )
    .action(async (opts) => {
      code = await (await import('./check-object.js')).checkObjectCommand(opts);
    });

  program
    .command('backfill')
    .description(
      'check the objects that already exist (and with --remediate encrypt them in place), fanned out over Function Compute or --local',
    )
    .requiredOption('--bucket <buckets>', 'bucket name(s), comma-separated')
    .option('--prefix <prefix>', 'only keys under this prefix')
    .option('--remediate', "encrypt in place where the policy's objects.action is encrypt", false)
    .option('--local', 'run the workers in this process (small buckets) instead of Function Compute', false)
    .option('--shards <n>', 'key ranges per bucket (default 8)')
    .option(
      '--out <dir>',
      'report location: a folder (--local) or oss://bucket/prefix (default $OSS_SSE_GUARD_REPORT)',
    )
    .option(
      '--policy <file>',
      'policy file, oss://bucket/key, or inline YAML (default: $OSS_SSE_GUARD_POLICY)',
    )
    .option('--account-id <id>', 'account that owns the worker function (default $OSS_SSE_GUARD_ACCOUNT_ID)')
    .option('--concurrency <n>', 'objects checked at once per worker (default 16)')
    .addOption(new Option('--page-size <n>', 'keys per page and checkpoint (default 1000)').hideHelp())
    .addOption(new Option('--workers <n>', '--local: workers at once (default 4)').hideHelp())
    .addOption(new Option('--segment-seconds <s>', '--local: time per worker run (default 300)').hideHelp())
    .option(
      '--inventory [id]',
      "judge objects from the bucket's latest inventory; HeadObject only what it does not settle",
    )
    .option(
      '--inventory-max-age <hours>',
      '--inventory: refuse an inventory older than this (default: its period + 24 h)',
    )
    .option(
      '--setup-inventory',
      'create the inventory rule --inventory needs (a dry run unless --apply)',
      false,
    )
    .option('--apply', '--setup-inventory: write the rule', false)
    .option('--inventory-bucket <bucket>', '--setup-inventory: the bucket the inventory files go to')
    .option(
      '--inventory-prefix <prefix>',
      '--setup-inventory: key prefix of the files (default oss-sse-guard-inventory)',
    )
    .option(
      '--inventory-role <arn>',
      '--setup-inventory: RAM role OSS assumes (default acs:ram::<account-id>:role/AliyunOSSRole)',
    )
    .option('--inventory-frequency <f>', '--setup-inventory: Daily or Weekly (default Weekly)')
    .option(
      '--inventory-kms-key <id>',
      '--setup-inventory: encrypt the files with this KMS key (default SSE-OSS)',
    )
    .action(async (opts) => {
      code = await (await import('./backfill.js')).backfillCommand(opts);
    });

  const policy = program.command('policy').description('work with policy files');
  policy
    .command('validate <file>')
    .description('validate a policy file; prints one line per problem with its path')
    .action(async (file: string) => {
      code = await (await import('./policy.js')).policyValidateCommand(file);
    });

  program
    .command('ram-policy')
    .description('print the least-privilege RAM policy document (JSON) the functions need for a policy')
    .option('--policy <file>', 'policy file (default: $OSS_SSE_GUARD_POLICY, else the built-in policy)')
    .option('--function <name>', 'all, or one function: bucket-auditor, upload-guard, bucket-watch...', 'all')
    .option('--report <location>', 'report location oss://bucket/prefix (default: $OSS_SSE_GUARD_REPORT)')
    .option('--account-id <id>', 'account id for the resource ARNs (default *)')
    .option('--log-project <name>', "the functions' log project (s.yaml logConfig; default *)")
    .option('--log-store <name>', "the functions' logstore (default *)")
    .option('--explain', 'also print why each permission is needed, on stderr', false)
    .option('--setup-inventory', 'print what running backfill --setup-inventory needs instead', false)
    .option('--inventory-bucket <bucket>', 'the bucket inventories are delivered to (default *)')
    .option('--org', 'organization: the management side policy and the member role (policy and trust policy)')
    .option('--ros', 'with --org: print the ROS template (ALIYUN::RAM::Role) that creates the member role')
    .option(
      '--function-role <name>',
      "with --org: the auditor function's role in the management account",
      'oss-sse-guard-fn',
    )
    .action(async (opts) => {
      code = await (await import('./ram-policy.js')).ramPolicyCommand(opts);
    });

  program
    .command('doctor')
    .description(
      'read-only readiness check of the account: credentials, endpoints, clock, RAM actions the policy needs, KMS keys; exit 0 ready, 1 missing',
    )
    .option(
      '--policy <file>',
      'policy file, oss://bucket/key, or inline YAML (default: $OSS_SSE_GUARD_POLICY)',
    )
    .option(
      '--account-id <id>',
      'account id, for the Function Compute endpoint (default $OSS_SSE_GUARD_ACCOUNT_ID)',
    )
    .action(async (opts) => {
      code = await (await import('./doctor.js')).doctorCommand(opts);
    });

  const iac = program
    .command('iac')
    .description('check infrastructure code against the policy before deployment');
  iac
    .command('check <files...>')
    .description(
      'check Terraform plan JSON (terraform show -json) and ROS templates; exit 0 compliant, 1 not, 2 usage, 3 unknown',
    )
    .option(
      '--policy <file>',
      'policy file or inline YAML (default: $OSS_SSE_GUARD_POLICY, else the built-in policy)',
    )
    .option('--format <formats>', 'table|json|sarif, comma-separated; the first is printed', 'table')
    .option(
      '--parameter <name=value>',
      'ROS parameter or pseudo parameter (ALIYUN::Region=cn-hangzhou); repeatable',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--out <dir>', 'also write every format to this folder')
    .action(async (files: string[], opts) => {
      code = await (await import('./iac.js')).iacCheckCommand(files, opts);
    });

  program
    .command('undo')
    .description('restore the encryption configuration of buckets a run changed (dry run unless --apply)')
    .option(
      '--report <file>',
      'the JSON report of that run (a file or oss://bucket/key; checked against its manifest)',
    )
    .option(
      '--journal <path>',
      "the run's change journal (<out>/journal/<runId>.jsonl or oss://bucket/prefix/journal/<runId>/)",
    )
    .option('--bucket <name>', 'only this bucket')
    .option('--apply', 'change the buckets (default: only say what would change)', false)
    .action(async (opts) => {
      code = await (await import('./undo.js')).undoCommand(opts);
    });

  program
    .command('emulator')
    .description('run the local OSS, KMS and Function Compute emulators until killed')
    .option('--port <n>', 'OSS port; KMS and FC take the next two (default: free ports)', '0')
    .option('--seed <seed>', 'demo | empty', 'demo')
    .option(
      '--export',
      'print only `export` lines for the environment, for eval "$(oss-sse-guard emulator --export)"',
      false,
    )
    .action(async (opts) => {
      code = await (await import('./emulator.js')).emulatorCommand(opts);
    });

  program
    .command('sandbox')
    .description(
      "run s.yaml's functions and triggers in the embedded emulators (the deployed shape, locally)",
    )
    .option('--config <file>', 's.yaml to run (default: the project s.yaml)')
    .option(
      '--policy <file>',
      "policy put at the functions' OSS_SSE_GUARD_POLICY (default examples/policy.yaml)",
    )
    .option(
      '--var <name=value>',
      'override an s.yaml var (dotted path), repeatable',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option(
      '--fire <trigger>',
      'fire this timer trigger at start, repeatable',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--speed <n>', 'run the sandbox clock n times faster (timers)', '1')
    .option('--build', 'rebuild the function bundles first', false)
    .action(async (opts) => {
      code = await (await import('./sandbox.js')).sandboxCommand(opts);
    });

  program
    .command('demo')
    .description(
      'audit --remediate of the embedded emulator demo account with examples/policy.yaml (npm start)',
    )
    .option('--out <dir>', 'report folder', 'reports')
    .option('--org', 'audit the demo organization (every member account) with examples/policy-org.yaml')
    .option('--no-stories', 'only the audit: skip the upload guard, bucket watch and drift stories')
    .action(async (opts) => {
      code = await (await import('./demo.js')).demoCommand(opts);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    // Commander's own: --help and --version exit 0, a usage error (already printed) 2. Each command maps
    // its errors in the one runner (cli/run.ts); what still reaches here (a module that fails to load)
    // is mapped by it too, never a bare stack.
    if (err instanceof CommanderError) return commanderExit(err);
    const { lines, code: failed } = errorExit(err, { failure: 'the command failed', failedCode: 1 });
    for (const line of lines) process.stderr.write(`${line}\n`);
    return failed;
  }
  return code;
}

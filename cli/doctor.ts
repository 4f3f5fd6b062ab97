/**
 * `oss-sse-guard doctor [--policy FILE]`: read-only readiness check of the account the tool is pointed at
 * (shared/doctor/). Exit 0 ready, 1 something the policy needs is missing, 2 usage or policy error.
 */
import { alertsConfigFromEnv } from '../shared/alerts/schema.js';
import { credentialsFromDefaultChain, credentialsFromEnv } from '../shared/cloud/credentials.js';
import { settingsFromEnv } from '../shared/config.js';
import { renderDoctor } from '../shared/doctor/render.js';
import { runDoctor } from '../shared/doctor/run.js';
import { EXIT } from '../shared/exit-codes.js';
import { loadPolicy } from '../shared/policy/load.js';
import { buildRuntime } from '../shared/runtime.js';
import { cliLogger } from './output.js';
import { type CommandSpec, runCommand } from './run.js';

/** Which environment variables or chain gave the credentials: names only, never values. */
export function credentialSource(env: NodeJS.ProcessEnv): string {
  const id = env.ALIBABA_CLOUD_ACCESS_KEY_ID
    ? 'ALIBABA_CLOUD_ACCESS_KEY_ID'
    : env.OSS_ACCESS_KEY_ID
      ? 'OSS_ACCESS_KEY_ID'
      : undefined;
  if (id) {
    const token = env.ALIBABA_CLOUD_SECURITY_TOKEN
      ? ', ALIBABA_CLOUD_SECURITY_TOKEN'
      : env.OSS_SESSION_TOKEN
        ? ', OSS_SESSION_TOKEN'
        : '';
    return `the environment (${id}${token})`;
  }
  const hints = [
    env.ALIBABA_CLOUD_CREDENTIALS_FILE
      ? `ALIBABA_CLOUD_CREDENTIALS_FILE=${env.ALIBABA_CLOUD_CREDENTIALS_FILE}`
      : '',
    env.ALIBABA_CLOUD_PROFILE ? `profile ${env.ALIBABA_CLOUD_PROFILE}` : '',
    env.ALIBABA_CLOUD_ECS_METADATA ? `ECS role ${env.ALIBABA_CLOUD_ECS_METADATA}` : '',
    env.ALIBABA_CLOUD_ROLE_ARN ? 'OIDC/RAM role ARN' : '',
  ].filter(Boolean);
  return `the @alicloud/credentials default chain (${hints.length ? hints.join(', ') : 'profile file ~/.alibabacloud/credentials, or the ECS instance RAM role'})`;
}

/** A readiness check that cannot run is not ready: 1, its documented "something needed is missing". */
const DOCTOR: CommandSpec = { failure: 'the readiness check could not run', failedCode: EXIT.notMet };

export function doctorCommand(
  opts: { policy?: string; accountId?: string },
  now: () => Date = () => new Date(),
): Promise<number> {
  return runCommand(DOCTOR, () => doctor(opts, now));
}

async function doctor(opts: { policy?: string; accountId?: string }, now: () => Date): Promise<number> {
  const settings = settingsFromEnv();
  const policyRef = opts.policy ?? settings.policyRef;
  const credentials = credentialsFromEnv() ?? (await credentialsFromDefaultChain());
  const runtime = buildRuntime(settings, credentials, cliLogger(), {
    maxAttempts: 2,
    baseMs: 100,
    capMs: 500,
  });
  const policy = await loadPolicy(policyRef, (bucket, key, max) =>
    runtime.oss.getObjectBounded(bucket, key, max),
  );
  const report = await runDoctor({
    settings: { ...settings, policyRef },
    credentials,
    credentialSource: credentialSource(process.env),
    oss: runtime.oss,
    kms: runtime.kms,
    policy,
    alerts: policy.policy.alerts ?? alertsConfigFromEnv(process.env),
    accountId: opts.accountId ?? process.env.OSS_SSE_GUARD_ACCOUNT_ID,
    now,
  });
  // The command whose output the grant lines point into (a file path as given; inline text is not repeated).
  const file =
    policyRef && !/[\n{:]/.test(policyRef) ? policyRef : policyRef ? '<the policy as a file>' : undefined;
  const grantCommand = `oss-sse-guard ram-policy${file ? ` --policy ${file}` : ''}`;
  process.stdout.write(renderDoctor(report, grantCommand));
  return report.ready ? EXIT.ok : EXIT.notMet;
}

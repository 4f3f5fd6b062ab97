/**
 * `oss-sse-guard check-object --bucket B --key K [--region R] [--policy FILE]`: one object's SSE state,
 * judged against the policy's object requirement (default: any server-side encryption). Exit codes: 0 the
 * object is encrypted as required, 1 it is not, 2 usage or policy error, 3 it could not be checked (not
 * found, access denied, network).
 */
import { resolveCredentials } from '../shared/cloud/credentials.js';
import { settingsFromEnv } from '../shared/config.js';
import { ConfigError, describeError, PolicyError } from '../shared/errors.js';
import { classify, findObject, inspectObjectKey, keyResolver } from '../shared/objects/inspect.js';
import { objectsPolicy } from '../shared/objects/scope.js';
import { describeConfig, describeRequirement } from '../shared/policy/levels.js';
import { loadPolicy } from '../shared/policy/load.js';
import { buildRuntime } from '../shared/runtime.js';
import { cliLogger } from './output.js';

export const CHECK_EXIT = { encrypted: 0, notEncrypted: 1, usage: 2, unchecked: 3 } as const;

export interface CheckObjectFlags {
  bucket?: string;
  key?: string;
  region?: string;
  policy?: string;
}

function usage(message: string): number {
  process.stderr.write(`error: ${message}\n`);
  return CHECK_EXIT.usage;
}

/** Runs `check-object`; returns the exit code (never throws for a cloud or usage problem). */
export async function checkObjectCommand(flags: CheckObjectFlags): Promise<number> {
  const { bucket, key } = flags;
  if (!bucket || !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket)) {
    return usage(`--bucket: ${bucket ? `"${bucket}" is not a bucket name` : 'is required'}`);
  }
  if (!key) return usage('--key: is required');
  if (flags.region !== undefined && !/^[a-z0-9-]+$/.test(flags.region)) {
    return usage(`--region: "${flags.region}" is not a region id such as cn-hangzhou`);
  }
  let settings: ReturnType<typeof settingsFromEnv>;
  try {
    settings = settingsFromEnv();
  } catch (err) {
    if (err instanceof ConfigError) return usage(err.message);
    throw err;
  }
  try {
    const runtime = buildRuntime(settings, await resolveCredentials(), cliLogger());
    const loaded = await loadPolicy(flags.policy ?? settings.policyRef, (b, k, max) =>
      runtime.oss.getObjectBounded(b, k, max),
    );
    const objects = runtime.oss.objects();
    const region = flags.region ?? (await objects.bucketRegion(bucket, settings.homeRegion));
    const found = await findObject(objects, { bucket, region }, key);
    if (!found.found) {
      process.stderr.write(`error: object "${key}" was not found in bucket "${bucket}" (${region})\n`);
      return CHECK_EXIT.unchecked;
    }
    const policy = objectsPolicy(loaded.policy);
    const requirement = describeRequirement(policy.sse, policy.match);
    const { head } = found;
    const inspected = await inspectObjectKey(runtime.kms, policy.sse, policy.match, head.sse, region);
    if (!inspected.ok) {
      process.stderr.write(`error: the object's KMS key could not be checked: ${inspected.reason}\n`);
      return CHECK_EXIT.unchecked;
    }
    const resolve = await keyResolver(runtime.kms, policy.sse, region);
    const c = classify(policy.sse, policy.match, head.sse, requirement, resolve, inspected.keys);
    const facts = inspected.facts;
    process.stdout.write(
      [
        `object:     oss://${bucket}/${found.key} (${region})`,
        `encryption: ${describeConfig(head.sse)}`,
        `required:   ${requirement}`,
        ...(facts.keyState
          ? [
              `key:        ${[facts.keyState, facts.keyOrigin, facts.keyProtection].filter(Boolean).join(', ')}`,
            ]
          : []),
        `verdict:    ${c.verdict}: ${c.reason}`,
        ...(head.versionId
          ? [`versioning: current version ${head.versionId}; older versions not checked`]
          : []),
        '',
      ].join('\n'),
    );
    return c.verdict === 'encrypted' ? CHECK_EXIT.encrypted : CHECK_EXIT.notEncrypted;
  } catch (err) {
    if (err instanceof PolicyError) {
      for (const p of err.problems) process.stderr.write(`Policy ${err.source} is invalid: ${p}\n`);
      return CHECK_EXIT.usage;
    }
    if (err instanceof ConfigError) return usage(err.message);
    process.stderr.write(`error: the object could not be checked: ${describeError(err)}\n`);
    return CHECK_EXIT.unchecked;
  }
}

/**
 * `oss-sse-guard check-object --bucket B --key K [--region R] [--policy FILE]`: one object's SSE state,
 * judged against the policy's object requirement (default: any server-side encryption). Exit codes: 0 the
 * object is encrypted as required, 1 it is not, 2 usage or policy error, 3 it could not be checked (not
 * found, access denied, network).
 */
import { z } from 'zod';
import { resolveCredentials } from '../shared/cloud/credentials.js';
import { objectGateway } from '../shared/cloud/oss-objects.js';
import { settingsFromEnv } from '../shared/config.js';
import { EXIT } from '../shared/exit-codes.js';
import { classify, findObject, inspectObjectKey, keyResolver } from '../shared/objects/inspect.js';
import { objectsPolicy } from '../shared/objects/scope.js';
import { describeConfig, describeRequirement } from '../shared/policy/levels.js';
import { loadPolicy } from '../shared/policy/load.js';
import { buildRuntime } from '../shared/runtime.js';
import { matching, parseFlags, regionId, required } from './flags.js';
import { cliLogger } from './output.js';
import { type CommandSpec, runCommand } from './run.js';

const CHECK_OBJECT: CommandSpec = { failure: 'the object could not be checked', failedCode: EXIT.unchecked };

export interface CheckObjectFlags {
  bucket?: string;
  key?: string;
  region?: string;
  policy?: string;
}

const checkObjectFlagsSchema = z.object({
  bucket: required().pipe(
    matching(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, (v) => `"${v}" is not a bucket name`),
  ),
  key: required(),
  region: regionId().optional(),
});

/** Runs `check-object`; returns the exit code (errors are the runner's, cli/run.ts). */
export function checkObjectCommand(flags: CheckObjectFlags): Promise<number> {
  return runCommand(CHECK_OBJECT, () => checkObject(flags));
}

async function checkObject(flags: CheckObjectFlags): Promise<number> {
  const { bucket, key } = parseFlags(checkObjectFlagsSchema, flags);
  const settings = settingsFromEnv();
  const runtime = buildRuntime(settings, await resolveCredentials(), cliLogger());
  const loaded = await loadPolicy(flags.policy ?? settings.policyRef, (b, k, max) =>
    runtime.oss.getObjectBounded(b, k, max),
  );
  const objects = objectGateway(runtime.oss).objects();
  const region = flags.region ?? (await objects.bucketRegion(bucket, settings.homeRegion));
  const found = await findObject(objects, { bucket, region }, key);
  if (!found.found) {
    process.stderr.write(`error: object "${key}" was not found in bucket "${bucket}" (${region})\n`);
    return EXIT.unchecked;
  }
  const policy = objectsPolicy(loaded.policy);
  const requirement = describeRequirement(policy.sse, policy.match);
  const { head } = found;
  const inspected = await inspectObjectKey(runtime.kms, policy.sse, policy.match, head.sse, region);
  if (!inspected.ok) {
    process.stderr.write(`error: the object's KMS key could not be checked: ${inspected.reason}\n`);
    return EXIT.unchecked;
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
        ? [`key:        ${[facts.keyState, facts.keyOrigin, facts.keyProtection].filter(Boolean).join(', ')}`]
        : []),
      `verdict:    ${c.verdict}: ${c.reason}`,
      ...(head.versionId
        ? [`versioning: current version ${head.versionId}; older versions not checked`]
        : []),
      '',
    ].join('\n'),
  );
  return c.verdict === 'encrypted' ? EXIT.ok : EXIT.notMet;
}

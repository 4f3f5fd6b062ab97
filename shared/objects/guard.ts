/**
 * The upload guard's entry point: OSS event -> parse -> in scope? -> HeadObject -> verdict -> alert |
 * encrypt in place | ignore. Every record is handled on its own; bad input becomes a skipped record with
 * a reason, never an exception. Each verdict is one JSON log line. The summary says whether a retryable
 * cloud error happened, so the Function Compute handler can fail the invocation and be retried (a retry
 * is safe: objects already encrypted are found `encrypted` and not copied again).
 */

import { memoKms } from '../audit/preflight.js';
import type { ObjectGateway, OssObjects } from '../cloud/oss-objects.js';
import type { RetryOptions } from '../cloud/retry.js';
import { CloudError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { describeConfig, describeRequirement } from '../policy/levels.js';
import type { ObjectsPolicy, Policy } from '../policy/schema.js';
import type { Clock, KeyInspector } from '../ports.js';
import { systemClock } from '../ports.js';
import { type CopySettings, encryptInPlace } from './encrypt.js';
import { type ObjectEvent, parseOssEvent } from './event.js';
import { classify, findObject, inspectObjectKey, keyResolver } from './inspect.js';
import { OwnWrites } from './own-writes.js';
import { objectsPolicy, outOfScope } from './scope.js';
import { emptySummary, type GuardSummary, type ObjectFinding, type SkippedRecord } from './types.js';

/** What the guard needs from the outside world; only functions and the CLI build real ones. */
export interface GuardDeps {
  /** The OSS gateway (`OssGateway`), for object calls. */
  oss: ObjectGateway;
  kms: KeyInspector;
  logger: Logger;
  clock?: Clock;
  /** Receives, once per invocation, the findings that need a person's attention; absent: log only. */
  alert?: (findings: ObjectFinding[]) => Promise<void>;
  /** Versions written by this guard; keep one per Function Compute instance (default: per call). */
  ownWrites?: OwnWrites;
  copy?: CopySettings;
  retry?: RetryOptions;
}

/** One invocation's input: the validated policy and the raw event. */
export interface GuardInput {
  policy: Policy;
  /** The event as Function Compute delivers it (a Buffer of `{"events":[...]}`), or its text. */
  events: Buffer | string | unknown;
  /**
   * This function's account (the FC context's `accountId`): a record whose bucket owner or origin is
   * another account is skipped, never acted on. Absent: not checked.
   */
  accountId?: string;
}

interface Context {
  objects: OssObjects;
  kms: KeyInspector;
  ownWrites: OwnWrites;
  copy: CopySettings;
  policy: ObjectsPolicy;
  requirement: string;
  clock: Clock;
}

function errorOf(err: unknown): NonNullable<ObjectFinding['error']> {
  if (err instanceof CloudError) {
    return {
      code: err.code,
      message: err.message,
      status: err.status,
      retryable: err.retryable,
      ...(err.requestId ? { requestId: err.requestId } : {}),
    };
  }
  return { code: (err as Error)?.name ?? 'Error', message: describeError(err), retryable: false };
}

/** Checks one in-scope record and acts on it as the policy says, or says why it is out of scope. Never throws. */
async function checkRecord(ctx: Context, rec: ObjectEvent): Promise<ObjectFinding | SkippedRecord> {
  const loc = { bucket: rec.bucket, region: rec.region };
  const base = {
    bucket: rec.bucket,
    key: rec.key,
    region: rec.region,
    ...(rec.size !== undefined ? { size: rec.size } : {}),
    eventName: rec.eventName,
    ...(rec.requestId ? { eventRequestId: rec.requestId } : {}),
    requirement: ctx.requirement,
    checkedAt: ctx.clock.now().toISOString(),
  };
  let lookup: Awaited<ReturnType<typeof findObject>>;
  try {
    lookup = await findObject(ctx.objects, loc, rec.key, (k) => outOfScope(ctx.policy, rec.bucket, k));
  } catch (err) {
    const error = errorOf(err);
    const reason = `could not be read: ${error.message}`;
    return { ...base, verdict: 'error', observed: null, reason, action: { kind: 'none' }, error };
  }
  if (!lookup.found && lookup.outOfScope.length > 0) {
    const [first] = lookup.outOfScope;
    return {
      kind: 'out-of-scope',
      index: rec.index,
      bucket: rec.bucket,
      key: rec.key,
      eventName: rec.eventName,
      reason: `events[${rec.index}]: not found under the key as given, and its URL-decoded form ${JSON.stringify(first?.key)} is out of scope: ${first?.why}`,
    };
  }
  if (!lookup.found) {
    const tried = lookup.tried.map((k) => JSON.stringify(k)).join(' or ');
    const reason = `not found under ${tried}: deleted or replaced before it could be checked`;
    return { ...base, verdict: 'missing', observed: null, reason, action: { kind: 'none' } };
  }
  const { head, key } = lookup;
  const found = { ...base, key, ...(key !== rec.key ? { eventKey: rec.key } : {}), size: head.size };
  const inspected = await inspectObjectKey(ctx.kms, ctx.policy.sse, ctx.policy.match, head.sse, rec.region);
  if (!inspected.ok) {
    const error = { ...inspected.error, retryable: inspected.retryable };
    const reason = `its KMS key could not be checked: ${inspected.reason}`;
    return { ...found, verdict: 'error', observed: head.sse, reason, action: { kind: 'none' }, error };
  }
  const resolve = await keyResolver(ctx.kms, ctx.policy.sse, rec.region);
  const c = classify(ctx.policy.sse, ctx.policy.match, head.sse, ctx.requirement, resolve, inspected.keys);
  const finding: ObjectFinding = {
    ...found,
    verdict: c.verdict,
    observed: head.sse,
    reason: c.reason,
    ...inspected.facts,
    action: { kind: 'none' },
  };
  if (c.verdict === 'encrypted') return finding;
  if (head.versionId !== undefined) {
    finding.versioning = `the bucket keeps versions: older versions of this object are not checked and stay as they were (current version ${head.versionId})`;
  }
  if (ctx.policy.action === 'ignore') {
    finding.action = { kind: 'skipped', reason: 'objects.action is ignore' };
  } else if (ctx.policy.action === 'alert') {
    finding.action = { kind: 'alerted' };
  } else {
    try {
      finding.action = await encryptInPlace({ ...ctx, loc, key, head, eventETag: rec.eTag });
    } catch (err) {
      finding.error = errorOf(err);
      finding.action = { kind: 'none', reason: `in-place encryption failed: ${finding.error.message}` };
    }
  }
  return finding;
}

function logFinding(log: Logger, f: ObjectFinding): void {
  const line = {
    bucket: f.bucket,
    key: f.key,
    ...(f.eventKey !== undefined ? { eventKey: f.eventKey } : {}),
    region: f.region,
    size: f.size,
    eventName: f.eventName,
    eventRequestId: f.eventRequestId,
    verdict: f.verdict,
    action: f.action.kind,
    ...(f.action.reason ? { actionReason: f.action.reason } : {}),
    observed: describeConfig(f.observed),
    requirement: f.requirement,
    reason: f.reason,
    ...(f.versioning ? { versioning: f.versioning } : {}),
    ...(f.error ? { error: f.error } : {}),
  };
  if (f.verdict === 'error' || f.error) log.error(line, 'object checked');
  else if (f.verdict === 'encrypted' || f.verdict === 'missing') log.info(line, 'object checked');
  else log.warn(line, 'object checked');
}

function logSkip(log: Logger, s: SkippedRecord): void {
  if (s.kind === 'out-of-scope') log.info(s, 'event record out of scope');
  else log.warn(s, 'event record skipped');
}

/** Findings a person should hear about: not encrypted as required, not checkable, or blocked. */
export function needsAttention(f: ObjectFinding): boolean {
  return (
    f.verdict === 'unencrypted' ||
    f.verdict === 'wrong-key' ||
    f.verdict === 'error' ||
    f.action.kind === 'blocked'
  );
}

/**
 * Handles one OSS event: every record in scope is checked and acted on as `policy.objects` says. Never
 * throws; the summary counts verdicts, actions and skipped records.
 */
export async function guardObjects(deps: GuardDeps, input: GuardInput): Promise<GuardSummary> {
  const log = deps.logger.child({ component: 'upload-guard' });
  const summary = emptySummary();
  const parsed = parseOssEvent(input.events);
  summary.records = parsed.total;
  const policy = objectsPolicy(input.policy);
  const ctx: Context = {
    objects: deps.oss.objects(deps.retry),
    kms: memoKms(deps.kms),
    ownWrites: deps.ownWrites ?? new OwnWrites(),
    copy: deps.copy ?? {},
    policy,
    requirement: describeRequirement(policy.sse, policy.match),
    clock: deps.clock ?? systemClock,
  };
  const skip = (s: SkippedRecord) => {
    summary.skipped.push(s);
    logSkip(log, s);
  };
  parsed.skipped.forEach(skip);
  for (const rec of parsed.records) {
    const foreign = input.accountId ? rec.accounts?.find((a) => a !== input.accountId) : undefined;
    if (foreign !== undefined) {
      skip({
        kind: 'foreign-account',
        index: rec.index,
        bucket: rec.bucket,
        key: rec.key,
        eventName: rec.eventName,
        reason: `events[${rec.index}]: names account ${foreign}, not this function's account ${input.accountId}; not acted on`,
      });
      continue;
    }
    const why = outOfScope(policy, rec.bucket, rec.key);
    if (why) {
      skip({
        kind: 'out-of-scope',
        index: rec.index,
        bucket: rec.bucket,
        key: rec.key,
        eventName: rec.eventName,
        reason: `events[${rec.index}]: ${why}`,
      });
      continue;
    }
    const f = await checkRecord(ctx, rec);
    if (!('verdict' in f)) {
      skip(f);
      continue;
    }
    summary.findings.push(f);
    summary.byVerdict[f.verdict] += 1;
    summary.actions[f.action.kind] += 1;
    if (f.error?.retryable) summary.retryableFailure = true;
    logFinding(log, f);
  }
  const attention = summary.findings.filter(needsAttention);
  if (attention.length > 0 && deps.alert) {
    try {
      await deps.alert(attention);
    } catch (err) {
      // An alert that cannot be sent must not turn a checked event into a retry storm: log it and go on.
      log.error({ err: describeError(err), findings: attention.length }, 'alert delivery failed');
    }
  }
  log.info(
    {
      records: summary.records,
      byVerdict: summary.byVerdict,
      actions: summary.actions,
      skipped: summary.skipped.length,
    },
    'upload guard done',
  );
  return summary;
}

/**
 * Applying one planned decision to one bucket, safely off the happy path:
 * - under the run's change guard (lease held, journal written before the change);
 * - re-reading the bucket right before changing it, refusing when it changed since the verdict (another
 *   run or a person got there first: a stale read must never overwrite a stronger configuration);
 * - re-checking the CMK right before applying it (a key disabled mid-run is not applied);
 * - after an ambiguous failure (connection lost, timeout, 5xx) reading the bucket back to learn whether
 *   the change applied, and reporting and journaling what is true.
 */
import { CloudError } from '../errors.js';
import type { Finding, FindingError, SseConfig } from '../model.js';
import type { Verdict } from '../policy/evaluate.js';
import { describeConfig, sameConfig } from '../policy/levels.js';
import type { ChangeGuard } from '../safety/guard.js';
import type { Outcome } from '../safety/journal.js';
import type { AuditDeps } from './deps.js';
import { systemClock } from './deps.js';
import { findingError } from './finding-error.js';
import type { KeyRechecker } from './key-recheck.js';
import type { Decision } from './plan.js';

export interface ApplyContext {
  /** Epoch ms after which no new work starts. */
  stopAt: number;
  /** Epoch ms by which the run must be done (read-backs after an ambiguous failure may use up to it). */
  deadline: number;
  timeLeft: () => boolean;
  resolve: (ref: string) => string | undefined;
  log: AuditDeps['logger'];
  guard?: ChangeGuard;
  recheckKey?: KeyRechecker;
  /** The verdict the policy gives the bucket in a state read now. */
  reevaluate: (observed: SseConfig | null) => Verdict;
}

/** A failure after which the change may or may not have been made: the bucket must be read to know. */
export function isAmbiguous(err: unknown): boolean {
  if (!(err instanceof CloudError)) return true;
  if (err.code === 'DeadlineExceeded') return false; // refused before sending
  return err.status === -1 || err.status === -2 || err.status >= 500 || err.code === 'RequestTimeout';
}

function finite(ms: number): number | undefined {
  return Number.isFinite(ms) ? ms : undefined;
}

export async function applyDecision(
  deps: AuditDeps,
  finding: Finding,
  v: Verdict,
  d: Decision,
  ctx: ApplyContext,
): Promise<Finding> {
  switch (d.kind) {
    case 'none':
      return finding;
    case 'refused':
    case 'capped':
      return { ...finding, status: 'noncompliant', reason: `${finding.reason}; ${d.reason}` };
    case 'blocked':
      return { ...finding, status: 'blocked', reason: `${finding.reason}; not remediated: ${d.reason}` };
    case 'would-apply':
      return {
        ...finding,
        status: 'would-remediate',
        reason: `${finding.reason}; would apply ${describeConfig(d.target)}`,
        action: { kind: 'put-bucket-encryption', from: v.observed, to: d.target },
      };
    case 'apply':
      break;
  }
  const clock = deps.clock ?? systemClock;
  const b = { name: v.bucket.name, region: v.bucket.region };
  const log = ctx.log.child({ bucket: b.name, region: b.region });
  const notRemediated = (why: string): Finding => ({
    ...finding,
    status: 'noncompliant',
    reason: `${finding.reason}; not remediated: ${why}`,
  });
  if (!ctx.timeLeft()) return notRemediated('the run reached its deadline');
  const refusal = ctx.guard?.refusal(clock.now());
  if (refusal) return notRemediated(refusal);
  const retry = { deadline: finite(ctx.stopAt), timeoutBy: finite(ctx.stopAt) };

  // Re-read right before the change: the verdict may rest on a state that is gone.
  let current: SseConfig | null;
  try {
    current = await deps.oss.getBucketEncryption(b, retry);
  } catch (err) {
    const error = findingError(err);
    return { ...finding, status: 'error', reason: `not remediated: re-read failed: ${error.message}`, error };
  }
  if (!sameConfig(current, v.observed, ctx.resolve)) {
    const now = ctx.reevaluate(current);
    const what = `the bucket changed since it was read (was ${describeConfig(v.observed)}, now ${describeConfig(current)})`;
    log.warn(
      { was: describeConfig(v.observed), now: describeConfig(current) },
      'changed since read; not changed',
    );
    if (now.status === 'compliant') {
      return {
        ...finding,
        status: 'compliant',
        observed: current,
        reason: `${now.reason}; ${what}, nothing to do`,
      };
    }
    return { ...notRemediated(`${what}; refusing to act on a stale read, audit again`), observed: current };
  }

  // Re-check the CMK right before applying it.
  const keyRef = d.target.kmsKeyId;
  if (keyRef && ctx.recheckKey) {
    const check = await ctx.recheckKey(keyRef, b.region, { deadline: finite(ctx.stopAt) });
    if (!check.ok) {
      return { ...finding, status: 'blocked', reason: `${finding.reason}; not remediated: ${check.reason}` };
    }
  }

  const action = { kind: 'put-bucket-encryption' as const, from: v.observed, to: d.target };
  try {
    await ctx.guard?.intent({ bucket: b.name, region: b.region, from: v.observed, to: d.target });
  } catch (err) {
    const message = `the change journal could not be written (${(err as Error).message})`;
    return {
      ...notRemediated(message),
      status: 'error',
      error: { code: 'JournalUnavailable', message },
    };
  }
  const record = (outcome: Outcome, detail?: string, requestId?: string) =>
    ctx.guard?.outcome({
      bucket: b.name,
      region: b.region,
      outcome,
      ...(detail ? { detail } : {}),
      ...(requestId ? { requestId } : {}),
    });

  let requestId: string | undefined;
  let lost: FindingError | undefined;
  try {
    requestId = (await deps.oss.putBucketEncryption(b, d.target, retry)).requestId;
  } catch (err) {
    const error = findingError(err);
    if (!isAmbiguous(err)) {
      log.error({ code: error.code, ossRequestId: error.requestId, ruleId: v.ruleId }, 'remediation failed');
      await record('not-applied', error.message, error.requestId);
      return { ...finding, status: 'error', reason: `remediation failed: ${error.message}`, action, error };
    }
    lost = error;
  }
  const at = clock.now().toISOString();
  const applied = { ...action, ...(requestId ? { requestId } : {}), at };
  let readBack: SseConfig | null;
  try {
    // After a lost answer, the read may use the time kept for the report: it decides what the report says.
    const until = finite(lost ? ctx.deadline : ctx.stopAt);
    readBack = await deps.oss.getBucketEncryption(b, { deadline: until, timeoutBy: until });
  } catch (err) {
    const error = findingError(err);
    const message = lost
      ? `outcome unknown: ${lost.message}; reading the bucket back failed too (${error.message})`
      : `applied, but the read-back failed: ${error.message}`;
    await record('unknown', message, requestId);
    return {
      ...finding,
      status: 'error',
      reason: `remediation not verified: ${message}`,
      action: applied,
      error,
    };
  }
  if (!sameConfig(readBack, d.target, ctx.resolve)) {
    const message = lost
      ? `remediation failed: ${lost.message}; read back ${describeConfig(readBack)}, the change did not apply`
      : `read back ${describeConfig(readBack)} after applying ${describeConfig(d.target)}`;
    log.error(
      { readBack: describeConfig(readBack), ruleId: v.ruleId },
      lost ? 'remediation failed' : 'read-back mismatch',
    );
    await record(lost ? 'not-applied' : 'unknown', message, requestId);
    return {
      ...finding,
      status: 'error',
      observed: readBack,
      reason: lost ? message : `remediation not verified: ${message}`,
      ...(lost ? { action } : { action: applied }),
      error: lost ?? { code: 'ReadBackMismatch', message },
    };
  }
  await record(
    'applied',
    lost ? `the answer was lost (${lost.code}); read back shows it applied` : undefined,
    requestId,
  );
  log.info(
    // `ossRequestId`: the logger's own `requestId` is the invocation's.
    {
      from: describeConfig(v.observed),
      to: describeConfig(d.target),
      ruleId: v.ruleId,
      ossRequestId: requestId,
    },
    'encryption applied',
  );
  return {
    ...finding,
    status: 'remediated',
    observed: readBack,
    reason: `${finding.reason}; applied ${describeConfig(d.target)}${lost ? ` (the answer was lost: ${lost.code}; read back shows it applied)` : ''}`,
    action: applied,
  };
}

/**
 * The audit: list every bucket -> read its encryption (bounded concurrency, retries, deadline-aware) ->
 * evaluate (pure) -> KMS pre-flight -> plan (pure) -> apply PutBucketEncryption and read it back.
 * One failing bucket never stops the others; every listed bucket appears in the findings exactly once.
 */
import { randomUUID } from 'node:crypto';
import type { BucketSummary } from '../cloud/oss.js';
import { CloudError, describeError } from '../errors.js';
import type { Finding, FindingError, Report, SseConfig } from '../model.js';
import { summarize } from '../model.js';
import { type BucketRef, evaluate, policyNeedsTags, resolveRule, type Verdict } from '../policy/evaluate.js';
import { describeConfig, sameConfig } from '../policy/levels.js';
import type { LoadedPolicy } from '../policy/load.js';
import { TOOL } from '../tool.js';
import { mapBounded, mapPaged } from './bounded.js';
import type { AuditDeps } from './deps.js';
import { systemClock } from './deps.js';
import { type Decision, keyCheckId, keysToCheck, plan } from './plan.js';
import { checkKeys } from './preflight.js';

export interface AuditOptions {
  policy: LoadedPolicy;
  /** Dry run: change nothing, report `would-remediate`. */
  dryRun: boolean;
  /** Only buckets in these regions (default: all). */
  regions?: string[];
  /** Only buckets whose name starts with this. */
  prefix?: string;
  /** Audit exactly these buckets instead of listing the account (a change-triggered audit of one bucket). */
  buckets?: BucketSummary[];
  /** Parallel bucket reads (default: the policy's limits.concurrency). */
  concurrency?: number;
  /** Epoch ms by which the report must be ready (a function's timeout); work stops `reserveMs` before. */
  deadline?: number;
  /** Time kept back to finish and write the report (default 3000 ms). */
  reserveMs?: number;
  runId?: string;
  onProgress?: (checked: number, total: number) => void;
}

type Observation =
  | { kind: 'ok'; bucket: BucketRef; observed: SseConfig | null }
  | { kind: 'error'; bucket: BucketRef; error: FindingError }
  | { kind: 'skipped'; bucket: BucketRef };

/** A thrown error as a finding's `error` (secret-free: code, message, status, request id). */
export function findingError(err: unknown): FindingError {
  if (err instanceof CloudError) {
    return {
      code: err.code,
      message: err.message,
      status: err.status,
      ...(err.requestId ? { requestId: err.requestId } : {}),
    };
  }
  return { code: 'InternalError', message: describeError(err) };
}

/** The buckets to audit, page by page: the account's listing, or the buckets given. */
async function* bucketPages(deps: AuditDeps, opts: AuditOptions): AsyncGenerator<BucketSummary[]> {
  const regions = opts.regions ? new Set(opts.regions) : undefined;
  const wanted = (b: BucketSummary) => !regions || regions.has(b.region);
  if (opts.buckets) {
    yield opts.buckets.filter(wanted);
    return;
  }
  for await (const page of deps.oss.listBuckets({ prefix: opts.prefix, pageSize: 1000 })) {
    yield page.filter(wanted);
  }
}

/** Runs one audit and returns its report. Throws only when the bucket list itself cannot be read. */
export async function runAudit(deps: AuditDeps, opts: AuditOptions): Promise<Report> {
  const clock = deps.clock ?? systemClock;
  const startedAt = clock.now();
  const runId = opts.runId ?? randomUUID();
  const log = deps.logger.child({ runId });
  const { policy } = opts.policy;
  const stopAt =
    opts.deadline === undefined ? Number.POSITIVE_INFINITY : opts.deadline - (opts.reserveMs ?? 3000);
  const timeLeft = () => clock.now().getTime() < stopAt;

  // Read: encryption (and tags when a rule selects by them), bounded, deadline-aware.
  const needsTags = policyNeedsTags(policy);
  const concurrency = opts.concurrency ?? policy.limits.concurrency;
  let checked = 0;
  // Reading starts with the first page while the next ones are listed; a listing failure still throws
  // before anything is changed.
  const observations = await mapPaged(
    bucketPages(deps, opts),
    concurrency,
    async (b, _index, listed): Promise<Observation> => {
      const ref: BucketRef = { name: b.name, region: b.region };
      if (!timeLeft()) return { kind: 'skipped', bucket: ref };
      const retry = { deadline: stopAt };
      try {
        if (needsTags) ref.tags = await deps.oss.getBucketTags(ref, retry);
        const observed = await deps.oss.getBucketEncryption(ref, retry);
        return { kind: 'ok', bucket: ref, observed };
      } catch (err) {
        const error = findingError(err);
        log.warn(
          { bucket: b.name, region: b.region, code: error.code, ossRequestId: error.requestId },
          'bucket not checked',
        );
        return { kind: 'error', bucket: ref, error };
      } finally {
        checked += 1;
        opts.onProgress?.(checked, listed);
      }
    },
    { onListed: (count) => log.info({ buckets: count, dryRun: opts.dryRun }, 'buckets listed') },
  );

  // Resolve every CMK the policy names for these buckets' regions (evaluation compares keys by id).
  const pairs = new Map<string, { region: string; keyRef: string }>();
  for (const o of observations) {
    if (o.kind !== 'ok') continue;
    const rule = resolveRule(policy, o.bucket);
    const ref = rule.sse.kmsKeyId;
    if (ref && !rule.exempt)
      pairs.set(keyCheckId(o.bucket.region, ref), { region: o.bucket.region, keyRef: ref });
  }
  const keyChecks = await checkKeys(deps.kms, [...pairs.values()]);
  const resolverFor = (region: string) => (ref: string) => {
    const c = keyChecks.get(keyCheckId(region, ref));
    return c?.ok ? c.keyId : undefined;
  };

  const now = clock.now();
  const verdicts: Array<Verdict | undefined> = observations.map((o) =>
    o.kind === 'ok'
      ? evaluate(policy, o.bucket, o.observed, { now, resolveKey: resolverFor(o.bucket.region) })
      : undefined,
  );
  const okVerdicts = verdicts.filter((v): v is Verdict => v !== undefined);
  // Targets can also name a CMK the policy does not (a bucket keeping its own key): check those too.
  const more = keysToCheck(okVerdicts).filter((p) => !keyChecks.has(keyCheckId(p.region, p.keyRef)));
  for (const [id, check] of await checkKeys(deps.kms, more)) keyChecks.set(id, check);
  const planned = plan(okVerdicts, {
    dryRun: opts.dryRun,
    maxRemediationsPerRun: policy.limits.maxRemediationsPerRun,
    keyChecks,
  });
  const decisions = new Map<Verdict, Decision>(okVerdicts.map((v, i) => [v, planned[i] ?? { kind: 'none' }]));

  // Apply, bounded, then read back.
  const findings = await mapBounded(observations, concurrency, async (o, i): Promise<Finding> => {
    const v = verdicts[i];
    if (o.kind === 'skipped' || !v) {
      const rule = resolveRule(policy, o.bucket);
      const base = {
        bucket: o.bucket.name,
        region: o.bucket.region,
        observed: null,
        required: null,
        ruleId: rule.ruleId,
      };
      if (o.kind === 'error') return { ...base, status: 'error', reason: o.error.message, error: o.error };
      return {
        ...base,
        status: 'error',
        reason: 'not checked: the run reached its deadline first',
        error: { code: 'NotChecked', message: 'not checked before the deadline' },
      };
    }
    const finding: Finding = {
      bucket: v.bucket.name,
      region: v.bucket.region,
      status: v.status,
      observed: v.observed,
      required: v.required,
      ruleId: v.ruleId,
      requirement: v.requirement,
      reason: v.reason,
      cis: v.cis,
    };
    const d = decisions.get(v) ?? { kind: 'none' };
    return applyDecision(deps, finding, v, d, {
      stopAt,
      timeLeft,
      resolve: resolverFor(v.bucket.region),
      log,
    });
  });

  const unchecked = observations.filter((o) => o.kind === 'skipped').length;
  const report: Report = {
    schemaVersion: 1,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: clock.now().toISOString(),
    tool: TOOL,
    mode: opts.dryRun ? 'dry-run' : 'remediate',
    policy: { source: opts.policy.source, sha256: opts.policy.sha256 },
    summary: summarize(findings),
    findings,
    ...(unchecked > 0 ? { incomplete: { reason: 'deadline reached', unchecked } } : {}),
  };
  log.info({ summary: report.summary.byStatus, unchecked }, 'audit finished');
  return report;
}

interface ApplyContext {
  stopAt: number;
  timeLeft: () => boolean;
  resolve: (ref: string) => string | undefined;
  log: AuditDeps['logger'];
}

async function applyDecision(
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
  const b = { name: v.bucket.name, region: v.bucket.region };
  const log = ctx.log.child({ bucket: b.name, region: b.region });
  if (!ctx.timeLeft()) {
    return {
      ...finding,
      status: 'noncompliant',
      reason: `${finding.reason}; not remediated: the run reached its deadline`,
    };
  }
  const action = { kind: 'put-bucket-encryption' as const, from: v.observed, to: d.target };
  try {
    const { requestId } = await deps.oss.putBucketEncryption(b, d.target, { deadline: ctx.stopAt });
    const at = (deps.clock ?? systemClock).now().toISOString();
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
    const readBack = await deps.oss.getBucketEncryption(b, { deadline: ctx.stopAt });
    const applied = { ...action, ...(requestId ? { requestId } : {}), at };
    if (!sameConfig(readBack, d.target, ctx.resolve)) {
      const message = `read back ${describeConfig(readBack)} after applying ${describeConfig(d.target)}`;
      log.error({ readBack: describeConfig(readBack), ruleId: v.ruleId }, 'read-back mismatch');
      return {
        ...finding,
        status: 'error',
        observed: readBack,
        reason: `remediation not verified: ${message}`,
        action: applied,
        error: { code: 'ReadBackMismatch', message },
      };
    }
    return {
      ...finding,
      status: 'remediated',
      observed: readBack,
      reason: `${finding.reason}; applied ${describeConfig(d.target)}`,
      action: applied,
    };
  } catch (err) {
    const error = findingError(err);
    log.error({ code: error.code, ossRequestId: error.requestId, ruleId: v.ruleId }, 'remediation failed');
    return { ...finding, status: 'error', reason: `remediation failed: ${error.message}`, action, error };
  }
}

/**
 * The audit: list every bucket -> read its encryption (bounded concurrency, retries, deadline-aware) ->
 * evaluate (pure) -> KMS pre-flight -> plan (pure) -> apply PutBucketEncryption and read it back.
 * One failing bucket never stops the others; every listed bucket appears in the findings exactly once.
 */
import { randomUUID } from 'node:crypto';
import type { BucketSummary } from '../cloud/oss.js';
import type { Finding, FindingError, Report, SseConfig } from '../model.js';
import { summarize } from '../model.js';
import { type BucketRef, evaluate, policyNeedsTags, resolveRule, type Verdict } from '../policy/evaluate.js';
import { reportedKeyFacts } from '../policy/keys.js';
import type { LoadedPolicy } from '../policy/load.js';
import { mapBounded, mapPaged } from '../pool.js';
import type { ChangeGuard } from '../safety/guard.js';
import { TOOL } from '../tool.js';
import { applyDecision } from './apply.js';
import type { AuditDeps } from './deps.js';
import { systemClock } from './deps.js';
import { memoKms } from './key-inspector.js';
import { type KeyRecheckOptions, keyRechecker } from './key-recheck.js';
import { type Decision, keyCheckId, keysToCheck, plan } from './plan.js';
import { checkKeys, findingError, keyViewOf, lookupOf, observedKeyCheck } from './preflight.js';

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
  /** Lease and change journal of a remediating run (see shared/safety/guard.ts). */
  guard?: ChangeGuard;
  /** The key check right before a CMK is applied (default: answers trusted 10 s, 256 keys). */
  keyRecheck?: KeyRecheckOptions;
}

type Observation =
  | { kind: 'ok'; bucket: BucketRef; observed: SseConfig | null }
  | { kind: 'error'; bucket: BucketRef; error: FindingError }
  | { kind: 'skipped'; bucket: BucketRef };

/** The buckets to audit, page by page: the account's listing, or the buckets given. */
async function* bucketPages(deps: AuditDeps, opts: AuditOptions): AsyncGenerator<BucketSummary[]> {
  const regions = opts.regions ? new Set(opts.regions) : undefined;
  const wanted = (b: BucketSummary) => !regions || regions.has(b.region);
  if (opts.buckets) {
    yield opts.buckets.filter(wanted);
    return;
  }
  for await (const page of deps.oss.listBuckets({
    prefix: opts.prefix,
    pageSize: 1000,
    deadline: opts.deadline,
  })) {
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
      const retry = { deadline: stopAt, timeoutBy: stopAt };
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

  // Describe every key the policy names and every key a bucket default names, once per key per region:
  // the verdicts look at the key behind the configuration, not only at its text.
  const kms = memoKms(deps.kms);
  const pairs = new Map<string, { region: string; keyRef: string }>();
  const addPair = (region: string, keyRef: string) =>
    pairs.set(keyCheckId(region, keyRef), { region, keyRef });
  for (const o of observations) {
    if (o.kind !== 'ok') continue;
    const rule = resolveRule(policy, o.bucket);
    if (rule.exempt) continue;
    if (rule.sse.kmsKeyId) addPair(o.bucket.region, rule.sse.kmsKeyId);
    if (o.observed?.algorithm === 'KMS' && o.observed.kmsKeyId) addPair(o.bucket.region, o.observed.kmsKeyId);
  }
  const kmsCall = { deadline: Number.isFinite(stopAt) ? stopAt : undefined };
  const keyChecks = await checkKeys(kms, [...pairs.values()], kmsCall);
  const recheckKey = keyRechecker(deps.kms, clock, opts.keyRecheck);
  const resolverFor = (region: string) => (ref: string) => {
    const c = keyChecks.get(keyCheckId(region, ref));
    return c?.ok ? c.keyId : c?.info?.keyId;
  };
  // A bucket whose key could not be described is not judged: `error`, never a pass.
  for (const [i, o] of observations.entries()) {
    const failed = o.kind === 'ok' ? observedKeyCheck(keyChecks, o.bucket.region, o.observed) : undefined;
    if (o.kind !== 'ok' || !failed || failed.ok || !failed.failed) continue;
    log.warn({ bucket: o.bucket.name, region: o.bucket.region, code: failed.failed.code }, 'key not checked');
    observations[i] = {
      kind: 'error',
      bucket: o.bucket,
      error: { ...failed.failed, message: failed.reason },
    };
  }

  const now = clock.now();
  const verdicts: Array<Verdict | undefined> = observations.map((o) =>
    o.kind === 'ok'
      ? evaluate(policy, o.bucket, o.observed, {
          now,
          resolveKey: resolverFor(o.bucket.region),
          keys: keyViewOf(keyChecks, o.bucket.region),
        })
      : undefined,
  );
  const okVerdicts = verdicts.filter((v): v is Verdict => v !== undefined);
  // Targets can also name a CMK the policy does not (a bucket keeping its own key): check those too.
  const more = keysToCheck(okVerdicts).filter((p) => !keyChecks.has(keyCheckId(p.region, p.keyRef)));
  for (const [id, check] of await checkKeys(kms, more, kmsCall)) keyChecks.set(id, check);
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
    // Key facts only where a key was read: other findings keep the one shape (see verdictOf).
    const keyCheck = observedKeyCheck(keyChecks, v.bucket.region, v.observed);
    if (keyCheck) Object.assign(finding, reportedKeyFacts(lookupOf(keyCheck)));
    const d = decisions.get(v) ?? { kind: 'none' };
    return applyDecision(deps, finding, v, d, {
      stopAt,
      deadline: opts.deadline ?? Number.POSITIVE_INFINITY,
      timeLeft,
      resolve: resolverFor(v.bucket.region),
      log,
      guard: opts.guard,
      recheckKey,
      reevaluate: (observed) =>
        evaluate(policy, v.bucket, observed, { now: clock.now(), resolveKey: resolverFor(v.bucket.region) }),
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

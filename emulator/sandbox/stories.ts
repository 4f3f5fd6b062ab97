/**
 * The story `npm start` tells after the audit, on the deployed shape (the sandbox): the scheduled audit
 * fires and remediates; an unencrypted upload is flagged by the upload guard, and, once the policy says
 * `encrypt`, one is encrypted in place (its own copy does not start another); a bucket whose encryption
 * is deleted is put back by the bucket watch; the next scheduled audit's report shows the drift. Every
 * change is made with the real ali-oss client, as a user would; every effect is read back from the
 * emulators, and each story says whether it ended as designed.
 */
import OSS from 'ali-oss';
import { parseDocument } from 'yaml';
import { type Sandbox, startSandbox } from './index.js';

export interface StoryResult {
  title: string;
  ok: boolean;
  lines: string[];
}

const GUARD = 'oss-sse-guard-upload-guard';

/**
 * The demo policy, with the upload guard asked for more than the bucket default gives: objects must be
 * at least `kms` where the audit's default makes buckets `sse-oss`, so an ordinary upload is caught.
 */
export function storyPolicy(text: string, action: 'alert' | 'encrypt'): string {
  const doc = parseDocument(text);
  doc.setIn(['objects', 'sse'], doc.createNode({ minimum: 'kms' }));
  doc.setIn(['objects', 'action'], action);
  return doc.toString();
}

/** ali-oss has these bucket calls; its type declarations (@types/ali-oss) do not list them. */
type OssClient = OSS & {
  deleteBucketEncryption(name: string): Promise<unknown>;
  putBucket(name: string): Promise<unknown>;
};

function client(sb: Sandbox, bucket: string, region: string): OssClient {
  return new OSS({
    endpoint: sb.emulators.oss.url,
    accessKeyId: sb.emulators.credentials.accessKeyId,
    accessKeySecret: sb.emulators.credentials.accessKeySecret,
    bucket,
    region: `oss-${region}`,
  }) as OssClient;
}

function sseOf(sb: Sandbox, bucket: string, key: string): string {
  return sb.emulators.oss.state.getObject(bucket, key)?.sse?.algorithm ?? 'none';
}

function logsSince(sb: Sandbox, from: number, fn: string, msg: string) {
  return sb.logs.slice(from).filter((l) => l.fn === fn && l.line.msg === msg);
}

/** The auditor's latest.json in the report location, as the next run reads it for drift. */
function latestReport(
  sb: Sandbox,
): { drift?: { appeared?: Array<{ bucket: string; to?: string }> } } | undefined {
  const loc = /^oss:\/\/([^/]+)\/?(.*)$/.exec(
    sb.shape.functions.map((f) => f.env.OSS_SSE_GUARD_REPORT).find((v) => v?.startsWith('oss://')) ?? '',
  );
  if (!loc?.[1]) return undefined;
  const prefix = (loc[2] ?? '').replace(/\/+$/, '');
  const obj = sb.emulators.oss.state.getObject(loc[1], `${prefix ? `${prefix}/` : ''}latest.json`);
  return obj ? (JSON.parse(obj.body.toString('utf8')) as ReturnType<typeof latestReport>) : undefined;
}

async function scheduledAudit(sb: Sandbox, title: string): Promise<StoryResult> {
  const before = sb.emulators.fc.invocations.length;
  sb.fireTimer('scheduled-audit');
  await sb.idle();
  const run = sb.emulators.fc.invocations.slice(before).find((i) => i.fn.endsWith('bucket-auditor'));
  const done = sb.logs.filter((l) => l.line.msg === 'audit done').at(-1)?.line.summary as
    | { byStatus?: Record<string, number>; drift?: Record<string, number>; reports?: string[] }
    | undefined;
  const lines = [
    'timer "scheduled-audit" fired -> oss-sse-guard-bucket-auditor',
    `  ${run?.status === 'ok' ? 'finished' : `failed: ${run?.errorMessage ?? 'no invocation'}`}: ${JSON.stringify(done?.byStatus ?? {})}`,
  ];
  if (done?.drift) lines.push(`  drift since the previous run: ${JSON.stringify(done.drift)}`);
  const json = done?.reports?.find((r) => r.endsWith('.json') && !r.endsWith('latest.json'));
  if (json) lines.push(`  report: ${json}`);
  return { title, ok: run?.status === 'ok' && done !== undefined, lines };
}

async function uploadGuard(sb: Sandbox, policyText: string): Promise<StoryResult> {
  const trigger = sb.functions
    .find((f) => f.spec.functionName === GUARD)
    ?.spec.triggers.find((t) => t.type === 'oss');
  if (trigger?.type !== 'oss') return { title: 'Upload guard', ok: false, lines: ['no OSS trigger'] };
  const oss = client(sb, trigger.bucket, trigger.region);
  const lines: string[] = [];
  const alertsBefore = sb.webhook.alerts.length;
  const flaggedKey = `${trigger.prefix}incoming/q3-report.csv`;
  await oss.put(flaggedKey, Buffer.from('quarter,revenue\nq3,42\n'));
  await sb.idle();
  const flagged = sb.webhook.alerts.slice(alertsBefore).some((a) => String(a.body.kind) === 'upload');
  lines.push(`PUT ${trigger.bucket}/${flaggedKey} without encryption -> OSS trigger -> ${GUARD}`);
  const stored = sseOf(sb, trigger.bucket, flaggedKey);
  lines.push(
    `  stored ${stored} by the bucket default; the policy wants at least kms: ${flagged ? 'flagged, an alert reached the local webhook' : 'NOT flagged'} (objects.action: alert)`,
  );

  // The policy says encrypt now; a new instance loads it, as after a redeploy.
  const loc = /^oss:\/\/([^/]+)\/(.+)$/.exec(sb.policyLocation ?? '');
  if (loc?.[1] && loc[2]) {
    sb.emulators.oss.state.putObject(loc[1], loc[2], storyPolicy(policyText, 'encrypt'));
  }
  await sb.recycle(GUARD);
  const logFrom = sb.logs.length;
  const key = `${trigger.prefix}incoming/invoice.pdf`;
  await oss.put(key, Buffer.from('%PDF-1.7 invoice'));
  await sb.idle();
  const encrypted = sseOf(sb, trigger.bucket, key);
  const copies = logsSince(sb, logFrom, GUARD, 'object checked').filter(
    (l) => l.line.action === 'encrypted',
  ).length;
  const guardRuns = sb.deliveries.filter((d) => d.fn === GUARD).length;
  lines.push('policy changed to objects.action: encrypt (new guard instance)');
  lines.push(`PUT ${trigger.bucket}/${key} without encryption -> ${GUARD}`);
  lines.push(
    `  encrypted in place: now ${encrypted}; copies made: ${copies}; the copy's own event was left alone`,
  );
  return {
    title: 'Upload guard (OSS trigger)',
    ok: flagged && encrypted === 'KMS' && copies === 1 && guardRuns >= 3,
    lines,
  };
}

async function bucketWatch(sb: Sandbox): Promise<StoryResult> {
  const bucket = 'prod-logs';
  const region = sb.emulators.oss.state.getBucket(bucket)?.region ?? 'cn-hangzhou';
  const before = sb.emulators.oss.state.getBucket(bucket)?.encryption?.algorithm ?? 'none';
  await client(sb, bucket, region).deleteBucketEncryption(bucket);
  await sb.idle();
  const after = sb.emulators.oss.state.getBucket(bucket)?.encryption?.algorithm ?? 'none';
  const handled = sb.logs.filter((l) => l.line.msg === 'bucket change handled' && l.line.bucket === bucket);
  const restored = handled.find((l) => l.line.status === 'remediated');
  return {
    title: 'Bucket watch (EventBridge)',
    ok: after !== 'none' && restored !== undefined,
    lines: [
      `DeleteBucketEncryption ${bucket} (was ${before}) -> ActionTrail event -> oss-sse-guard-bucket-watch`,
      `  put back: now ${after}${restored ? `, ${restored.line.eventToCompliantMs} ms after the change` : ''}; its own PutBucketEncryption event found nothing to do`,
    ],
  };
}

/** Runs the four stories on a fresh sandbox; `write` prints as they go. */
export async function runStories(opts: {
  policyText: string;
  write: (text: string) => void;
}): Promise<StoryResult[]> {
  // The roles were made with `ram-policy` for the policy's `encrypt` form, so the guard may copy in place.
  const sb = await startSandbox({
    vars: { dryRun: 'false' },
    policyText: storyPolicy(opts.policyText, 'alert'),
    rolePolicyText: storyPolicy(opts.policyText, 'encrypt'),
  });
  const results: StoryResult[] = [];
  try {
    const stories: Array<() => Promise<StoryResult>> = [
      () => scheduledAudit(sb, 'Scheduled audit (timer trigger)'),
      () => uploadGuard(sb, opts.policyText),
      () => bucketWatch(sb),
      async () => {
        // A partner bucket appears outside the watch's region, under a report-only rule: only the next
        // scheduled audit sees it, and its drift says so.
        await client(sb, 'shared-partner-inbox', 'ap-southeast-1').putBucket('shared-partner-inbox');
        const r = await scheduledAudit(sb, 'The next scheduled audit: report and drift');
        const report = latestReport(sb);
        const appeared = report?.drift?.appeared?.map((e) => `${e.bucket} (${e.to ?? '?'})`) ?? [];
        r.lines.splice(
          1,
          0,
          'bucket shared-partner-inbox created in ap-southeast-1 (no watch there; rule partner-report-only)',
        );
        r.lines.push(`  appeared since the previous run: ${appeared.join(', ') || 'nothing'}`);
        return { ...r, ok: r.ok && appeared.some((a) => a.startsWith('shared-partner-inbox')) };
      },
    ];
    for (const [i, story] of stories.entries()) {
      const r = await story();
      results.push(r);
      opts.write(
        `\n${i + 1}. ${r.title}${r.ok ? '' : '  [NOT AS DESIGNED]'}\n${r.lines.map((l) => `   ${l}`).join('\n')}\n`,
      );
    }
  } finally {
    await sb.close();
  }
  return results;
}

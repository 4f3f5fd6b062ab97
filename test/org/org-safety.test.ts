/**
 * Issue 14's safety machinery on organization runs (issue 17), against the emulators with the real SDKs
 * (@alicloud/resourcemanager20200331, @alicloud/sts20150401, ali-oss): every member's change is journaled,
 * naming the account, before PutBucketEncryption is sent; a run that dies between the journal and the
 * answer leaves a record `undo --journal` resolves; two overlapping organization runs never both change a
 * member's buckets (the member's lease, arbitrated by create-only files); and undo restores each member
 * with that member's own assumed-role credentials.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDITOR_ROLE } from '../../emulator/seed-org.js';
import type { AuditDeps, AuditOss } from '../../shared/audit/deps.js';
import { settingsFromEnv } from '../../shared/config.js';
import {
  type FanOutDeps,
  type OrgJob,
  orgPaths,
  runOrgWorker,
  startOrgFanOut,
} from '../../shared/org/fan-out.js';
import { memberGuards } from '../../shared/org/member-guard.js';
import { type OrgDeps, runOrgAudit } from '../../shared/org/run.js';
import { orgRunStore } from '../../shared/org/run-store.js';
import { buildOrgDeps } from '../../shared/org/runtime.js';
import { readLocalJournal } from '../../shared/safety/journal.js';
import { runCli } from '../helpers/cli.js';
import { FAST_RETRY, policyOf, startWorld, type World } from '../helpers/world.js';
import { remediate, tempDir } from '../safety/helpers.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const TRUSTED = 'acs:ram::1234567890123456:role/oss-sse-guard-fn';
const A = '8100000000000001';
const B = '8100000000000002';
const ORG_AES =
  'version: 1\ndefaults: { sse: { algorithm: AES256 }, remediate: true }\n' +
  'limits: { maxRemediationsPerRun: 5 }\n' +
  'organization: { concurrency: 2, maxRemediations: 10, accounts: { exclude: ["1234567890123456"] } }\n';

function member(w: World, id: string, name: string, buckets: string[]) {
  w.emu.resourceManager.directory.addAccount({ accountId: id, displayName: name });
  w.emu.accounts.addRole({
    accountId: id,
    name: AUDITOR_ROLE,
    trustedPrincipals: [TRUSTED],
    policy: { Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:*'], Resource: '*' }] },
  });
  for (const b of buckets) w.emu.oss.state.createBucket(b, 'cn-hangzhou', { owner: id });
}

async function twoMembers() {
  const w = await startWorld({ seed: 'empty' });
  w.emu.accounts.get(w.emu.credentials.accessKeyId)!.principalArn = TRUSTED;
  member(w, A, 'alpha', ['alpha-1', 'alpha-2']);
  member(w, B, 'beta', ['beta-1', 'beta-2']);
  return w;
}

const encryptionOf = (w: World, name: string) => w.emu.oss.state.getBucket(name)?.encryption ?? null;
const journalPath = (dir: string, id: string, runId: string) =>
  join(dir, 'members', id, 'journal', `${runId}.jsonl`);

function orgDeps(w: World, wrap?: (deps: AuditDeps) => AuditDeps): OrgDeps {
  const deps = buildOrgDeps(settingsFromEnv(w.emu.env), w.emu.credentials, w.logger, FAST_RETRY);
  return wrap ? { ...deps, depsFor: (c) => wrap(deps.depsFor(c)) } : deps;
}

/** The member guards an organization job opens at `dir` (as shared/audit/job.ts does). */
function safetyAt(w: World, dir: string, now: () => Date = () => new Date()): OrgDeps['safety'] {
  return {
    guards: memberGuards(dir, w.runtime.oss, { now, logger: w.logger }),
    runStore: (id) => orgRunStore(dir, id, w.runtime),
  };
}

describe('organization runs keep issue 14 safety for every member', () => {
  it('journals each member change, naming the account, before PutBucketEncryption is sent', async () => {
    // Prepare
    world = await twoMembers();
    const dir = await tempDir('org-journal');
    const w = world;
    const seenAtPut: number[] = [];
    let puts = 0;
    const intents = () => {
      let n = 0;
      for (const id of [A, B]) {
        const base = join(dir, 'members', id, 'journal');
        if (!existsSync(base)) continue;
        for (const f of readdirSync(base)) {
          n += readFileSync(join(base, f), 'utf8')
            .split('\n')
            .filter((l) => l.includes('"intent"')).length;
        }
      }
      return n;
    };
    const stop = w.emu.oss.faults.watch((op, phase) => {
      if (op !== 'PutBucketEncryption' || phase !== 'received') return;
      puts += 1;
      seenAtPut.push(intents() - puts);
    });

    // Act
    const { report, summary } = await remediate(w, ORG_AES, dir, { organization: orgDeps(w) });
    stop();

    // Assess: at every PutBucketEncryption at least as many intents were durable as puts had been sent
    expect(report.summary.byStatus.remediated).toBe(4);
    expect(seenAtPut).toHaveLength(4);
    expect(seenAtPut.every((ahead) => ahead >= 0)).toBe(true);
    for (const [id, buckets] of [
      [A, ['alpha-1', 'alpha-2']],
      [B, ['beta-1', 'beta-2']],
    ] as const) {
      const entries = await readLocalJournal(journalPath(dir, id, report.runId));
      expect(entries[0]).toMatchObject({
        kind: 'start',
        accountId: id,
        roleArn: `acs:ram::${id}:role/${AUDITOR_ROLE}`,
      });
      const changes = entries.filter((e) => e.kind === 'intent' || e.kind === 'applied');
      expect(changes.every((e) => 'accountId' in e && e.accountId === id)).toBe(true);
      expect(
        changes
          .filter((e) => e.kind === 'applied')
          .map((e) => 'bucket' in e && e.bucket)
          .sort(),
      ).toEqual([...buckets]);
      expect(existsSync(join(dir, 'org', report.runId, 'journals', `${id}.json`))).toBe(true);
    }
    expect(summary.journal).toBe(join(dir, 'org', report.runId));
  });

  it('leaves a record undo resolves when the run dies after the journal, before or after the change', async () => {
    // Prepare: the run "dies" (never hears back) at the first change of each member: in alpha before the
    // request is sent, in beta after the bucket changed. Its clock is long past, so its leases have expired.
    world = await twoMembers();
    const w = world;
    const dir = await tempDir('org-crash');
    const frozen = () => new Date('2026-01-01T00:00:00Z');
    const dying = (deps: AuditDeps) =>
      withPut(deps, async (b, cfg, retry) => {
        if (b.name.startsWith('beta')) await deps.oss.putBucketEncryption(b, cfg, retry);
        return new Promise(() => {});
      });
    const policy = policyOf(
      ORG_AES.replace('maxRemediationsPerRun: 5', 'maxRemediationsPerRun: 1, concurrency: 1'),
    );
    const runId = 'crashed-org-run';
    void runOrgAudit(
      { ...orgDeps(w, dying), clock: { now: frozen }, safety: safetyAt(w, dir, frozen) },
      { policy, dryRun: false, runId },
    );
    const betaChanged = () => ['beta-1', 'beta-2'].some((b) => encryptionOf(w, b) !== null);
    while (!(await journalHasIntent(dir, A, runId)) || !betaChanged()) {
      await new Promise((r) => setImmediate(r));
    }
    const changed = ['beta-1', 'beta-2'].find((b) => encryptionOf(w, b) !== null);

    // Act
    const undo = await runCli(['undo', '--journal', join(dir, 'org', runId), '--apply'], w.emu.env);

    // Assess: beta's change (made, answer never heard) restored; alpha's (never sent) left alone
    expect(changed).toBeDefined();
    expect(undo.stdout).toMatch(new RegExp(`${B}\\s+${changed}\\s+cn-hangzhou\\s+restored`));
    expect(undo.stdout).toMatch(
      new RegExp(`${A}\\s+alpha-\\d\\s+cn-hangzhou\\s+skipped\\s+not in the run's "after" state`),
    );
    expect(undo.code).toBe(1);
    expect(encryptionOf(w, changed ?? '')).toBeNull();
  });

  it('lets only one of two overlapping organization runs change a member; the other says who holds it', async () => {
    // Prepare: the first run is held inside alpha's first change until the second run has finished.
    world = await twoMembers();
    const w = world;
    const dir = await tempDir('org-overlap');
    const { gate, release, entered, inside } = gated();
    const held = (deps: AuditDeps) =>
      withPut(deps, async (b, cfg, retry) => {
        if (b.name.startsWith('alpha')) {
          entered();
          await gate;
        }
        return deps.oss.putBucketEncryption(b, cfg, retry);
      });
    const policy = policyOf(ORG_AES.replace('exclude: ["1234567890123456"]', 'include: [alpha]'));

    // Act
    const first = runOrgAudit(
      { ...orgDeps(w, held), safety: safetyAt(w, dir) },
      { policy, dryRun: false, runId: 'run-one' },
    );
    await inside;
    const second = await runOrgAudit(
      { ...orgDeps(w), safety: safetyAt(w, dir) },
      { policy, dryRun: false, runId: 'run-two' },
    );
    release();
    const one = await first;

    // Assess
    expect(one.summary.byStatus.remediated).toBe(2);
    expect(second.summary.byStatus.remediated).toBe(0);
    expect(second.findings.map((f) => f.reason)).toEqual([
      expect.stringContaining('another remediating run holds the lease'),
      expect.stringContaining('another remediating run holds the lease'),
    ]);
    expect(second.findings[0]?.reason).toContain('run-one');
    expect(w.emu.oss.faults.count('PutBucketEncryption')).toBe(2);
    expect(existsSync(journalPath(dir, A, 'run-two'))).toBe(false);
  });

  it("keeps a single-account run of a member from changing it while an organization run holds the member's lease", async () => {
    // Prepare: the organization run is held inside alpha's first change; alpha's own audit then starts
    // at the same report location, as alpha (its own credentials), naming its account.
    world = await twoMembers();
    const w = world;
    const dir = await tempDir('org-vs-single');
    const { gate, release, entered, inside } = gated();
    const held = (deps: AuditDeps) =>
      withPut(deps, async (b, cfg, retry) => {
        entered();
        await gate;
        return deps.oss.putBucketEncryption(b, cfg, retry);
      });
    const policy = policyOf(ORG_AES.replace('exclude: ["1234567890123456"]', 'include: [alpha]'));
    const org = runOrgAudit(
      { ...orgDeps(w, held), safety: safetyAt(w, dir) },
      { policy, dryRun: false, runId: 'org-run' },
    );
    await inside;
    const key = w.emu.sts.issued.find((c) => c.accountId === A)?.accessKeyId ?? '';
    const asAlpha = w.runtimeFor(w.emu.accounts.get(key)!);

    // Act
    const single = await remediate(w, ORG_AES, dir, { runtime: asAlpha, accountId: A });
    release();
    const orgReport = await org;

    // Assess
    expect(single.summary.leaseHeld).toContain('org-run');
    expect(single.report.summary.byStatus.remediated).toBe(0);
    expect(orgReport.summary.byStatus.remediated).toBe(2);
    expect(w.emu.oss.faults.count('PutBucketEncryption')).toBe(2);
  });

  it('stops a retried worker whose continuation was already handed off, so a group never runs twice at once', async () => {
    // Prepare: one group of both members; its first invocation handed the rest to a continuation, then
    // its answer was lost, so Function Compute retries it.
    world = await twoMembers();
    const w = world;
    const dir = await tempDir('org-handoff');
    const jobs: OrgJob[] = [];
    const deps: FanOutDeps = {
      ...orgDeps(w),
      safety: safetyAt(w, dir),
      storeFor: (id) => orgRunStore(dir, id, w.runtime),
      invoker: { dispatch: async (job) => void jobs.push(job) },
      publish: async () => undefined,
    };
    const policy = policyOf(ORG_AES.replace('concurrency: 2,', 'concurrency: 2, accountsPerWorker: 2,'));
    const members = [
      { accountId: A, accountName: 'alpha' },
      { accountId: B, accountName: 'beta' },
    ];
    await startOrgFanOut(deps, { policy, dryRun: false, runId: 'handed-off', members });
    await deps.storeFor('handed-off').create(orgPaths.next(0, 1), '{}');
    const issued = w.emu.sts.issued.length;

    // Act
    const retried = await runOrgWorker(
      deps,
      { mode: 'org-worker', runId: 'handed-off', group: 0, seq: 0 },
      { policy, dryRun: false },
    );
    const continuation = await runOrgWorker(
      deps,
      { mode: 'org-worker', runId: 'handed-off', group: 0, seq: 1 },
      { policy, dryRun: false },
    );

    // Assess
    expect(jobs).toEqual([{ mode: 'org-worker', runId: 'handed-off', group: 0, seq: 0 }]);
    expect(retried).toEqual({ status: 'continued', audited: 0 });
    expect(continuation).toEqual({ status: 'aggregated', audited: 2 });
    expect(w.emu.sts.issued.length - issued).toBe(2);
    expect(w.emu.oss.faults.count('PutBucketEncryption')).toBe(4);
  });

  it('restores each member with its own role on `undo --journal` of the organization run', async () => {
    // Prepare
    world = await twoMembers();
    const w = world;
    const dir = await tempDir('org-undo');
    const { report } = await remediate(w, ORG_AES, dir, { organization: orgDeps(w) });
    const before = w.emu.sts.issued.length;

    // Act
    const dry = await runCli(['undo', '--journal', join(dir, 'org', report.runId)], w.emu.env);
    const applied = await runCli(['undo', '--journal', join(dir, 'org', report.runId), '--apply'], w.emu.env);

    // Assess
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`${A}\\s+alpha-1\\s+cn-hangzhou\\s+would-restore`));
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(new RegExp(`${B}\\s+beta-2\\s+cn-hangzhou\\s+restored`));
    for (const b of ['alpha-1', 'alpha-2', 'beta-1', 'beta-2']) expect(encryptionOf(w, b)).toBeNull();
    // One undo session per member per undo, each for that member's own role (the emulator refuses a
    // bucket of A to B's credentials, so A's restores were made with A's).
    const sessions = w.emu.sts.issued.slice(before);
    expect(sessions.map((s) => s.accountId).sort()).toEqual([A, A, B, B]);
    expect(sessions.every((s) => s.roleArn === `acs:ram::${s.accountId}:role/${AUDITOR_ROLE}`)).toBe(true);
    expect(sessions.every((s) => s.sessionName === `oss-sse-guard-undo-${report.runId}`.slice(0, 64))).toBe(
      true,
    );
  });

  it("restores every member on `undo --journal` even when an entry of the run's journal index is damaged", async () => {
    // Prepare: alpha's index entry overwritten with text that is not JSON
    world = await twoMembers();
    const w = world;
    const dir = await tempDir('org-index');
    const { report } = await remediate(w, ORG_AES, dir, { organization: orgDeps(w) });
    await writeFile(join(dir, 'org', report.runId, 'journals', `${A}.json`), '{ not json');

    // Act
    const undo = await runCli(['undo', '--journal', join(dir, 'org', report.runId), '--apply'], w.emu.env);

    // Assess: the entry's name says which account; its journal says the rest
    expect(undo.code).toBe(0);
    for (const b of ['alpha-1', 'alpha-2', 'beta-1', 'beta-2']) expect(encryptionOf(w, b)).toBeNull();
  });

  it('refuses a member journal whose records name another account', async () => {
    // Prepare: beta's journal rewritten to claim alpha's account and role
    world = await twoMembers();
    const w = world;
    const dir = await tempDir('org-forged');
    const { report } = await remediate(w, ORG_AES, dir, { organization: orgDeps(w) });
    const path = journalPath(dir, B, report.runId);
    const forged = readFileSync(path, 'utf8').replaceAll(B, A);
    await mkdir(join(dir, 'members', B, 'journal'), { recursive: true });
    await writeFile(path, forged);

    // Act
    const undo = await runCli(['undo', '--journal', join(dir, 'org', report.runId), '--apply'], w.emu.env);

    // Assess
    expect(undo.code).toBe(1);
    expect(undo.stdout).toMatch(new RegExp(`${B}\\s+beta-1\\s+cn-hangzhou\\s+skipped\\s+the change journal`));
    expect(encryptionOf(w, 'beta-1')).not.toBeNull();
    expect(encryptionOf(w, 'alpha-1')).toBeNull();
  });
});

/** A gate the first run waits at (`entered` -> `inside`) until the test calls `release`. */
function gated() {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let entered: () => void = () => {};
  const inside = new Promise<void>((r) => {
    entered = r;
  });
  return { gate, release, entered, inside };
}

/** The member's gateways with PutBucketEncryption replaced (the others delegate to the real gateway). */
function withPut(deps: AuditDeps, put: AuditOss['putBucketEncryption']): AuditDeps {
  const oss = deps.oss;
  return {
    ...deps,
    oss: {
      listBuckets: (q) => oss.listBuckets(q),
      getBucketEncryption: (b, r) => oss.getBucketEncryption(b, r),
      getBucketTags: (b, r) => oss.getBucketTags(b, r),
      putBucketEncryption: put,
    },
  };
}

async function journalHasIntent(dir: string, id: string, runId: string): Promise<boolean> {
  const path = journalPath(dir, id, runId);
  if (!existsSync(path)) return false;
  return (await readLocalJournal(path)).some((e) => e.kind === 'intent');
}

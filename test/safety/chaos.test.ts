/**
 * Chaos: a remediating run stopped at seeded random points, many times over. Two ways: the CLI process
 * is killed (SIGKILL) as its k-th PutBucketEncryption reaches the service (before or after the service
 * applied it), and, separately, the service goes away (every connection dropped for a while) right
 * after applying the k-th change, or loses the answers to changes. After each stop, every bucket that
 * changed is in the run's journal (or reported remediated), nothing is reported remediated that did not
 * change, and undo from the journal restores exactly the changed buckets to what they were.
 *
 * Points are chosen by request count, never by time: the outcome does not depend on machine speed.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../emulator/core/faults.js';
import { journalUndoChanges, undoChanges } from '../../shared/audit/undo.js';
import type { Report, SseConfig } from '../../shared/model.js';
import { openGuard } from '../../shared/safety/guard.js';
import { type JournalEntry, journalChanges, readLocalJournal } from '../../shared/safety/journal.js';
import { BIN } from '../helpers/cli.js';
import { startWorld, type World } from '../helpers/world.js';
import { remediate, tempDir } from './helpers.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

const POLICY = 'version: 1\ndefaults: { sse: { algorithm: KMS }, match: exact, remediate: true }\n';
const BUCKETS = 6;
type Emulated = { algorithm: 'AES256' | 'KMS' | 'SM4'; kmsMasterKeyId?: string } | null;

/** Fresh buckets for one iteration: half unencrypted, half AES256 (all must become KMS). */
function seedIteration(i: number): Map<string, Emulated> {
  const initial = new Map<string, Emulated>();
  for (let b = 0; b < BUCKETS; b += 1) {
    const name = `chaos-${String(i).padStart(2, '0')}-${b}`;
    const encryption: Emulated = b % 2 ? { algorithm: 'AES256' } : null;
    world.emu.oss.state.createBucket(name, 'cn-hangzhou', { encryption });
    initial.set(name, encryption);
  }
  return initial;
}

const stateOf = (name: string) => world.emu.oss.state.getBucket(name)?.encryption ?? null;
const changedOf = (initial: Map<string, Emulated>) =>
  [...initial].filter(([n, e]) => JSON.stringify(stateOf(n)) !== JSON.stringify(e)).map(([n]) => n);

async function theJournal(dir: string): Promise<{ runId: string; entries: JournalEntry[] }> {
  const [file] = (await readdir(join(dir, 'journal'))).filter((f) => f.endsWith('.jsonl'));
  if (!file) throw new Error(`no journal in ${dir}`);
  return { runId: file.replace(/\.jsonl$/, ''), entries: await readLocalJournal(join(dir, 'journal', file)) };
}

/** Undo from the journal as a later operator would: after the dead run's lease expired. */
async function undoFromJournal(dir: string, runId: string, entries: JournalEntry[]) {
  const later = new Date(Date.now() + 16 * 60_000);
  const opened = await openGuard(dir, undefined, {
    runId: `undo-${runId}`,
    purpose: 'undo',
    now: () => later,
  });
  expect(opened.heldBy).toBeUndefined();
  try {
    return await undoChanges(world.runtime.oss, journalUndoChanges(entries), runId, {
      apply: true,
      guard: opened.guard,
    });
  } finally {
    await opened.close(later);
  }
}

function assessStop(initial: Map<string, Emulated>, entries: JournalEntry[], report?: Report) {
  const changed = changedOf(initial);
  const journaled = new Set(journalChanges(entries).map((c) => c.bucket));
  const reported = new Set(
    report?.findings.filter((f) => f.status === 'remediated').map((f) => f.bucket) ?? [],
  );
  // Every applied change is in the journal or the report...
  for (const n of changed) expect(journaled.has(n) || reported.has(n), `${n} changed unrecorded`).toBe(true);
  // ...and nothing is reported remediated that did not change.
  for (const n of reported) expect(changed, `${n} reported remediated`).toContain(n);
  return changed;
}

async function assessUndo(initial: Map<string, Emulated>, changed: string[], dir: string) {
  const { runId, entries } = await theJournal(dir);
  const steps = await undoFromJournal(dir, runId, entries);
  expect(
    steps
      .filter((s) => s.status === 'restored')
      .map((s) => s.bucket)
      .sort(),
  ).toEqual([...changed].sort());
  expect(steps.filter((s) => s.status === 'error')).toEqual([]);
  for (const [n, e] of initial) expect(stateOf(n), n).toEqual(e);
}

describe('chaos: a remediating run stopped at random points', () => {
  it('keeps every change recorded and undoable when the process is killed mid-run (3 seeded kills)', async () => {
    const random = seededRandom(14);
    for (let i = 0; i < 3; i += 1) {
      // Prepare
      const initial = seedIteration(i);
      const dir = await tempDir('chaos-kill');
      const k = 1 + Math.floor(random() * (BUCKETS - 1));
      const phase = random() < 0.5 ? 'received' : 'handled';
      const child = spawn(
        process.execPath,
        [
          BIN,
          'audit',
          '--policy',
          POLICY,
          '--remediate',
          '--out',
          dir,
          '--prefix',
          `chaos-${String(i).padStart(2, '0')}-`,
          '--concurrency',
          '2',
        ],
        {
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...world.emu.env },
          stdio: 'ignore',
        },
      );
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      let puts = 0;
      const stop = world.emu.oss.faults.watch((op, p) => {
        if (op !== 'PutBucketEncryption' || p !== phase) return;
        puts += 1;
        if (puts === k) child.kill('SIGKILL');
      });

      // Act
      await exited;
      stop();
      const { entries } = await theJournal(dir);

      // Assess
      const changed = assessStop(initial, entries);
      expect(changed.length).toBeGreaterThanOrEqual(phase === 'handled' ? 1 : 0);
      await assessUndo(initial, changed, dir);
    }
  });

  it('keeps every change recorded, honestly reported and undoable when the service goes away mid-run (12 seeded outages)', async () => {
    const random = seededRandom(1414);
    for (let i = 10; i < 22; i += 1) {
      // Prepare
      const initial = seedIteration(i);
      const dir = await tempDir('chaos-outage');
      const faults = world.emu.oss.faults;
      const k = 1 + Math.floor(random() * BUCKETS);
      const outage = 1 + Math.floor(random() * 60);
      if (random() < 0.5) faults.set('PutBucketEncryption', { dropRate: 0.5, dropPhase: 'after' });
      let puts = 0;
      const stop = faults.watch((op, p) => {
        if (op !== 'PutBucketEncryption' || p !== 'handled') return;
        puts += 1;
        if (puts === k) faults.set('*', { dropRate: 1, times: outage });
      });

      // Act
      const { report } = await remediate(world, POLICY, dir, { prefix: `chaos-${i}-` });
      stop();
      faults.clear();
      const { entries } = await theJournal(dir);

      // Assess
      const changed = assessStop(initial, entries, report);
      for (const f of report.findings) {
        const now = stateOf(f.bucket) as SseConfig | null;
        if (changed.includes(f.bucket)) expect(['remediated', 'error'], f.reason).toContain(f.status);
        else expect(f.status, `${f.bucket}: ${f.reason} (${JSON.stringify(now)})`).not.toBe('remediated');
      }
      await assessUndo(initial, changed, dir);
    }
  });
});

/**
 * Publishing writes each file in pieces (chunked PutObject to OSS, piece by piece to a folder) and hashes
 * it on the way: against the OSS emulator with the real SDK, the stored bytes are exactly the rendered
 * text, the manifest matches them, a PutObject retried after a failure mid-body stores the whole file
 * again, and the next run reads `latest.json` back (streamed) for its drift.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from '../../shared/model.js';
import { verifyManifest } from '../../shared/report/manifest.js';
import { publishReport } from '../../shared/report/publish.js';
import { render } from '../../shared/report/render.js';
import { LocalStore, OssStore } from '../../shared/report/store.js';
import { startWorld, type World } from '../helpers/world.js';
import { sampleReport } from './sample-report.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** The sample report with `n` findings, so each file spans many pieces (and several HTTP chunks). */
function manyBuckets(n: number, runId: string): Report {
  const base = sampleReport({ runId });
  const findings = Array.from({ length: n }, (_, i) => ({
    ...structuredClone(base.findings[i % base.findings.length] as Report['findings'][number]),
    bucket: `streamed-${String(i).padStart(5, '0')}`,
  }));
  return { ...base, findings };
}

const FORMATS = ['json', 'csv', 'md', 'html'] as const;

describe('streamed publishing', () => {
  it('stores in OSS exactly the rendered bytes of every format, listed in the manifest', async () => {
    // Prepare
    world = await startWorld();
    const s = world.emu.oss.state;
    s.createBucket('streamed-reports', 'cn-shanghai');
    const store = new OssStore(world.runtime.oss, 'streamed-reports', 'audits');
    const report = manyBuckets(3000, 'run-1');

    // Act
    const { report: published } = await publishReport(report, { store, formats: FORMATS });

    // Assess
    const day = report.startedAt.slice(0, 10).replace(/-/g, '/');
    const files = FORMATS.map((f) => {
      const body = s.getObject('streamed-reports', `audits/${day}/run-1.${f}`)?.body ?? Buffer.alloc(0);
      expect(body.toString('utf8'), f).toBe(render(published, f));
      return { name: `run-1.${f}`, content: body };
    });
    expect(files[0]?.content.length).toBeGreaterThan(1_000_000);
    const manifest = s.getObject('streamed-reports', `audits/${day}/run-1.sha256`)?.body.toString('utf8');
    expect(verifyManifest(manifest ?? '', files)).toEqual({ ok: true, problems: [] });
    expect(s.getObject('streamed-reports', 'audits/latest.json')?.body.toString('utf8')).toBe(
      render(published, 'json'),
    );
  });

  it('sends the whole file again when a PutObject fails or its connection drops mid-body', async () => {
    // Prepare
    world = await startWorld();
    const s = world.emu.oss.state;
    s.createBucket('retried-reports', 'cn-hangzhou');
    const store = new OssStore(world.runtime.oss, 'retried-reports', '');
    const report = manyBuckets(2000, 'run-2');
    world.emu.oss.faults.set('PutObject', { errorRate: 1, errorStatus: 503, times: 1 });

    // Act
    const first = await publishReport(report, { store, formats: ['json'] });
    world.emu.oss.faults.set('PutObject', { dropRate: 1, times: 1 });
    const second = await publishReport({ ...report, runId: 'run-3' }, { store, formats: ['json'] });

    // Assess
    const day = report.startedAt.slice(0, 10).replace(/-/g, '/');
    for (const [run, published] of [
      ['run-2', first.report],
      ['run-3', second.report],
    ] as const) {
      const body = s.getObject('retried-reports', `${day}/${run}.json`)?.body.toString('utf8');
      expect(body, run).toBe(render(published, 'json'));
      const manifest = s.getObject('retried-reports', `${day}/${run}.sha256`)?.body.toString('utf8') ?? '';
      expect(verifyManifest(manifest, [{ name: `${run}.json`, content: body ?? '' }]).ok, run).toBe(true);
    }
    expect(world.emu.oss.faults.count('PutObject')).toBe(2 * 3 + 2);
  });

  it('reads the previous latest.json back from OSS for drift', async () => {
    // Prepare
    world = await startWorld();
    world.emu.oss.state.createBucket('drift-reports', 'cn-hangzhou');
    const store = new OssStore(world.runtime.oss, 'drift-reports', 'p');
    const first = manyBuckets(500, 'run-a');
    const second: Report = { ...manyBuckets(500, 'run-b'), findings: first.findings.slice(1) };

    // Act
    await publishReport(first, { store, formats: ['json'] });
    const { report } = await publishReport(second, { store, formats: ['json'] });

    // Assess
    expect(report.drift?.previousRunId).toBe('run-a');
    const latest = await store.readLatest();
    expect(latest?.runId).toBe('run-b');
    expect(latest && 'drift' in latest).toBe(false);
    expect(report.drift?.disappeared.map((e) => e.bucket)).toEqual(['streamed-00000']);
    expect(report.drift?.appeared).toEqual([]);
  });

  it('writes every format piece by piece to a folder, hashed as written', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'streamed-'));
    const store = new LocalStore(dir);
    const report = manyBuckets(1500, 'run-local');

    // Act
    const { report: published, written } = await publishReport(report, { store, formats: FORMATS });

    // Assess
    const files = await Promise.all(
      FORMATS.map(async (f) => ({
        name: `run-local.${f}`,
        content: await readFile(join(dir, `run-local.${f}`)),
      })),
    );
    for (const [i, f] of FORMATS.entries())
      expect(files[i]?.content.toString('utf8'), f).toBe(render(published, f));
    const manifest = await readFile(join(dir, 'run-local.sha256'), 'utf8');
    expect(verifyManifest(manifest, files).ok).toBe(true);
    expect(written.at(-1)).toBe(join(dir, 'latest.json'));
    expect((await store.readLatest())?.runId).toBe('run-local');
  });
});

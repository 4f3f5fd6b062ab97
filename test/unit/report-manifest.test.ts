import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildManifest,
  ManifestError,
  manifestText,
  sha256Hex,
  verifyManifest,
} from '../../shared/report/manifest.js';
import { render } from '../../shared/report/render.js';
import { sampleReport } from '../report/sample-report.js';

function runFiles() {
  const report = sampleReport();
  return [
    { name: `${report.runId}.json`, content: render(report, 'json') },
    { name: `${report.runId}.csv`, content: render(report, 'csv') },
    { name: `${report.runId}.html`, content: Buffer.from(render(report, 'html')) },
  ];
}

describe('SHA-256 manifest', () => {
  it('lists one sha256sum-style line per file, sorted by name', () => {
    // Prepare
    const files = runFiles();

    // Act
    const manifest = buildManifest(files);

    // Assess
    const lines = manifest.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.slice(66))).toEqual([...files.map((f) => f.name)].sort());
    for (const f of files) expect(manifest).toContain(`${sha256Hex(f.content)}  ${f.name}\n`);
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('verifies the files it was built from', () => {
    // Prepare
    const files = runFiles();
    const manifest = buildManifest(files);

    // Act
    const result = verifyManifest(manifest, files);

    // Assess
    expect(result).toEqual({ ok: true, problems: [] });
  });

  it('reports a tampered, a missing and an unlisted file', () => {
    // Prepare
    const files = runFiles();
    const manifest = buildManifest(files);
    const [json, csv] = files;
    const tampered = [
      { name: json!.name, content: String(json!.content).replace('"noncompliant"', '"compliant"') },
      { name: 'extra.txt', content: 'x' },
    ];

    // Act
    const result = verifyManifest(manifest, tampered);

    // Assess
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(
      expect.arrayContaining([
        { name: json!.name, problem: 'mismatch' },
        { name: csv!.name, problem: 'missing' },
        { name: 'extra.txt', problem: 'unlisted' },
      ]),
    );
    expect(result.problems).toHaveLength(4);
  });

  it('treats a line that is not "<hex>  <name>" as a problem', () => {
    // Prepare
    const files = runFiles();
    const manifest = `${buildManifest(files)}not a manifest line\n`;

    // Act
    const result = verifyManifest(manifest, files);

    // Assess
    expect(result).toEqual({ ok: false, problems: [{ name: 'line 4', problem: 'malformed' }] });
  });

  it('refuses file names that would make an ambiguous line', () => {
    // Prepare
    const bad = [{ name: 'a\nb', content: 'x' }];

    // Act
    const build = () => buildManifest(bad);

    // Assess
    expect(build).toThrow(ManifestError);
    expect(() =>
      buildManifest([
        { name: 'a', content: '1' },
        { name: 'a', content: '2' },
      ]),
    ).toThrow(/twice/);
  });

  it.runIf(existsSync('/usr/bin/sha256sum'))('is accepted by sha256sum -c', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
    const files = runFiles();
    for (const f of files) writeFileSync(join(dir, f.name), f.content);
    writeFileSync(join(dir, 'run.sha256'), buildManifest(files));

    // Act
    const out = execFileSync('/usr/bin/sha256sum', ['-c', 'run.sha256'], { cwd: dir, encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });

    // Assess
    expect(out.trim().split('\n')).toEqual([...files.map((f) => `${f.name}: OK`)].sort());
  });

  it('builds the same manifest from digests computed while the files were written', () => {
    // Prepare
    const files = runFiles();
    const digests = files.map((f) => ({ name: f.name, sha256: sha256Hex(f.content) })).reverse();

    // Act
    const manifest = manifestText(digests);

    // Assess
    expect(manifest).toBe(buildManifest(files));
    expect(() => manifestText([{ name: 'a.json', sha256: 'ABC' }])).toThrow(/64 lowercase hex digits/);
  });
});

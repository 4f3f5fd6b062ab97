/**
 * Writing reports to a local folder: `<dir>/<runId>.<ext>` for each format, plus `latest.json`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../model.js';
import { EXTENSIONS, type Format, render } from './render.js';

export async function writeReports(
  report: Report,
  dir: string,
  formats: readonly Format[],
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const wanted = new Set<Format>([...formats, 'json']);
  for (const format of wanted) {
    const path = join(dir, `${report.runId}.${EXTENSIONS[format]}`);
    await writeFile(path, render(report, format));
    written.push(path);
  }
  const latest = join(dir, 'latest.json');
  await writeFile(latest, render(report, 'json'));
  written.push(latest);
  return written;
}

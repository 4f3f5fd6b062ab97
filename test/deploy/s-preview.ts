/**
 * Renders s.yaml with the real Serverless Devs CLI (`s preview`), offline and without credentials, the way
 * s-yaml.test.ts explains: a copy of the template in a temporary folder (no `.env` next to it), HOME
 * pointing there (no user access), NODE_ENV=test (no background processes), one bounded spawn.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isObj, type Json, type Obj } from './fc3-requirements.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// biome-ignore lint/suspicious/noTemplateCurlyInString: Serverless Devs template syntax, not a JS template
const ACCOUNT_MARKER = "${config('AccountID')}";
/** Stands in for the account ID that `s preview` leaves unresolved without an access. */
export const TEST_ACCOUNT = '1234567890123456';

/** The rendered template (account ID replaced by TEST_ACCOUNT), or a thrown error with the CLI's output. */
export function renderSYaml(env: Record<string, string> = {}): Obj {
  const work = mkdtempSync(join(tmpdir(), 'oss-sse-guard-s-preview-'));
  try {
    copyFileSync(join(ROOT, 's.yaml'), join(work, 's.yaml'));
    const run = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/@serverless-devs/s/bin/s'),
        'preview',
        '-t',
        join(work, 's.yaml'),
        '-o',
        'json',
        '--silent',
      ],
      {
        cwd: work,
        encoding: 'utf8',
        timeout: 20_000,
        env: { PATH: process.env.PATH ?? '', HOME: work, USERPROFILE: work, NODE_ENV: 'test', ...env },
      },
    );
    const out = run.stdout ?? '';
    if (run.status !== 0)
      throw new Error(`s preview failed (${run.status}): ${run.stderr}${out.slice(0, 500)}`);
    const raw = out.slice(Math.max(0, out.indexOf('{')));
    return JSON.parse(raw.split(ACCOUNT_MARKER).join(TEST_ACCOUNT)) as Obj;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `v` as an object, or a thrown error naming what was expected. */
export function obj(v: Json | undefined, what: string): Obj {
  if (!isObj(v)) throw new Error(`${what}: expected an object, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * What is deployed is what is tested: the esbuild bundles `npm run build` produces are loaded as
 * Function Compute loads them (CommonJS, `index.handler`) and invoked through the FC emulator with the
 * real @alicloud/fc2 client, with FC-shaped contexts, against the OSS and KMS emulators.
 */

import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type FC from '@alicloud/fc2';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulators, startEmulators } from '../../emulator/index.js';
import { type BuiltFunction, buildFunctions, staticallyReachable } from '../../scripts/build.js';
import type { FcHandler } from '../../shared/cloud/fc-context.js';
import { ossEvent, recordFor } from '../fixtures/events/builders.js';
import { fcClient, stubFunctionEnv } from '../helpers/function-env.js';

const TIMER_EVENT =
  '{"triggerTime":"2018-02-09T05:49:00Z","triggerName":"timer-trigger","payload":"awesome-fc"}';

let emu: Emulators;
let fc: FC;
let built: BuiltFunction[];
const require = createRequire(import.meta.url);

beforeAll(async () => {
  built = await buildFunctions(await mkdtemp(join(tmpdir(), 'bundles-')));
  emu = await startEmulators({ seed: 'demo' });
  for (const b of built) {
    const { handler } = require(b.outfile) as { handler: FcHandler };
    emu.fc.register('oss-sse-guard', b.name, handler, { timeoutSec: 30 });
  }
  fc = fcClient(emu);
}, 180_000);
afterAll(async () => {
  await emu?.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function stubEnv(policy: string) {
  stubFunctionEnv(emu, policy);
}

describe('built bundles', () => {
  it('builds one CommonJS bundle per function with the handler exported', () => {
    expect(built.map((b) => b.name).sort()).toEqual(
      expect.arrayContaining(['bucket-auditor', 'upload-guard']),
    );
    for (const b of built) {
      expect(typeof (require(b.outfile) as { handler?: unknown }).handler).toBe('function');
      expect(b.bytes).toBeGreaterThan(10_000);
    }
  });

  it('keeps the KMS and FC SDKs out of the upload guard cold start (lazy imports only)', () => {
    // Prepare
    const guard = built.find((b) => b.name === 'upload-guard') as BuiltFunction;
    const entry = Object.keys(guard.metafile.inputs).find((p) =>
      p.endsWith('functions/upload-guard/index.ts'),
    ) as string;

    // Act
    const eager = [...staticallyReachable(guard.metafile, entry)].map((p) => relative('.', p));
    const all = Object.keys(guard.metafile.inputs);

    // Assess
    expect(all.some((p) => p.includes('@alicloud/kms20160120'))).toBe(true);
    expect(eager.filter((p) => p.includes('@alicloud/kms20160120') || p.includes('@alicloud/fc2'))).toEqual(
      [],
    );
    expect(eager.some((p) => p.includes('ali-oss'))).toBe(true);
  });

  it('runs the bucket-auditor bundle on the timer event', async () => {
    // Prepare
    stubEnv('version: 1\ndefaults: { remediate: true }\n');
    vi.stubEnv('DRY_RUN', 'true');

    // Act
    const res = await fc.invokeFunction('oss-sse-guard', 'bucket-auditor', TIMER_EVENT);

    // Assess
    expect(res.headers['x-fc-error-type']).toBeUndefined();
    const summary = JSON.parse(String(res.data)) as {
      mode: string;
      total: number;
      byStatus: Record<string, number>;
    };
    expect(summary).toMatchObject({ mode: 'dry-run', total: 13 });
    expect(summary.byStatus['would-remediate']).toBeGreaterThan(0);
  });

  it('runs the upload-guard bundle on an OSS event and encrypts the object in place', async () => {
    // Prepare
    stubEnv('version: 1\nobjects: { action: encrypt, sse: { algorithm: AES256 } }\n');
    emu.oss.state.putObject('shared-partner-drop', 'in/report.csv', 'a,b\n1,2\n', {
      contentType: 'text/csv',
      sse: null,
    });
    const event = ossEvent(
      recordFor(emu, 'shared-partner-drop', 'in/report.csv', { region: 'ap-southeast-1' }),
    );

    // Act
    const res = await fc.invokeFunction('oss-sse-guard', 'upload-guard', event);

    // Assess
    expect(res.headers['x-fc-error-type']).toBeUndefined();
    const obj = emu.oss.state.getObject('shared-partner-drop', 'in/report.csv');
    expect(obj?.sse?.algorithm).toBe('AES256');
    expect(obj?.body.toString()).toBe('a,b\n1,2\n');
    expect(obj?.contentType).toBe('text/csv');
  });
});

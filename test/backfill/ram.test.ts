/**
 * The least-privilege RAM policies `ram-policy` derives for the backfill, attached to the functions' role
 * credentials in the emulators' RAM-like model: the coordinator (bucket auditor, `backfill` mode) and the
 * workers do a whole remediating run, through Function Compute, without a single AccessDenied; and the
 * worker cannot list a bucket the policy's `objects.buckets` does not select.
 */

import FC from '@alicloud/fc2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RamPolicy } from '../../emulator/core/accounts.js';
import { handler as auditorHandler } from '../../functions/bucket-auditor/index.js';
import type { BackfillJobSummary } from '../../shared/backfill/job.js';
import type { BackfillReport } from '../../shared/backfill/types.js';
import { ObjectLister } from '../../shared/cloud/oss-listing.js';
import { type FunctionName, ramPolicy } from '../../shared/ram/generate.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';
import {
  AUDITOR_FUNCTION,
  seedBucket,
  stubFunctionEnv,
  WORKER_FUNCTION,
  workerOnVirtualTime,
} from './helpers.js';

const POLICY =
  'version: 1\nobjects:\n  action: encrypt\n  buckets: ["vault-*"]\n  sse: { algorithm: AES256 }\n';
const REPORT = 'oss://ram-reports/runs';

let world: World;
const roles = new Map<
  FunctionName,
  { accessKeyId: string; accessKeySecret: string; securityToken: string }
>();

/** A role's STS credentials restricted to the policy `ram-policy` prints for `fn`. */
function roleFor(w: World, fn: FunctionName) {
  const doc = ramPolicy(
    { policy: policyOf(POLICY).policy, reportLocation: REPORT, accountId: w.emu.accountId },
    [fn],
  );
  const creds = {
    accessKeyId: `STS.${fn.toUpperCase()}`,
    accessKeySecret: `${fn}-secret`,
    securityToken: `${fn}-token`,
  };
  w.emu.accounts.add({ ...creds, policy: doc as unknown as RamPolicy });
  roles.set(fn, creds);
  return creds;
}

beforeAll(async () => {
  world = await startWorld();
  seedBucket(world.emu, 'vault-ram', 120, { rich: true });
  seedBucket(world.emu, 'other-ram', 3);
  world.emu.oss.state.createBucket('ram-reports', 'cn-hangzhou');
  world.emu.fc.register('', AUDITOR_FUNCTION, auditorHandler, {
    timeoutSec: 30,
    credentials: roleFor(world, 'bucket-auditor'),
  });
  // Short invocations on virtual time (helpers.ts): the run hands off between workers whatever the load;
  // the real timeout is only a safety net.
  world.emu.fc.register('', WORKER_FUNCTION, workerOnVirtualTime(600), {
    timeoutSec: 120,
    credentials: roleFor(world, 'backfill-worker'),
  });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await world.close();
});

describe('backfill RAM policy', () => {
  it('is enough for a whole remediating run through Function Compute, and no more', async () => {
    // Prepare
    stubFunctionEnv(world.emu, POLICY, REPORT);
    const fc = new FC(world.emu.accountId, {
      accessKeyID: world.emu.credentials.accessKeyId,
      accessKeySecret: world.emu.credentials.accessKeySecret,
      region: 'cn-hangzhou',
      endpoint: world.emu.fc.url,
    });
    fc.version = '2023-03-30';
    const request = {
      mode: 'backfill',
      bucket: 'vault-ram',
      remediate: true,
      shards: 2,
      tuning: { pageSize: 25 },
    };

    // Act
    const res = await fc.post(`/functions/${AUDITOR_FUNCTION}/invocations`, JSON.stringify(request), {
      'x-fc-invocation-type': 'Sync',
    });
    await world.emu.fc.idle();
    const started = JSON.parse(String(res.data)) as BackfillJobSummary;
    const report = JSON.parse(
      world.emu.oss.state
        .getObject('ram-reports', `runs/backfill/${started.runId}/report.json`)
        ?.body.toString() ?? '{}',
    ) as BackfillReport;
    const worker = world.runtimeFor(
      roles.get('backfill-worker') as { accessKeyId: string; accessKeySecret: string },
    );
    const outside = await new ObjectLister(worker.oss)
      .page({ bucket: 'other-ram', region: 'cn-hangzhou' }, {})
      .catch((e: unknown) => e);

    // Assess
    expect(res.headers['x-fc-error-type']).toBeUndefined();
    expect(world.emu.fc.invocations.every((r) => r.status === 'ok')).toBe(true);
    expect(report.summary).toMatchObject({
      objects: 120,
      byVerdict: { unencrypted: 40, error: 0 },
      actions: { encrypted: 40 },
    });
    expect(outside).toMatchObject({ code: 'AccessDenied', status: 403 });
  }, 300_000);
});

/**
 * How s.yaml deploys the backfill (rendered by the real `s preview`, offline): the worker function the
 * auditor's `backfill` mode invokes, on the invoke path the FC 3.0 deployment needs, with the RAM policy
 * `ram-policy` derives naming that same function.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WORKER_FUNCTION, fcTargetFromEnv } from '../../shared/backfill/payload.js';
import { ramPolicy } from '../../shared/ram/generate.js';
import type { Obj } from '../deploy/fc3-requirements.js';
import { obj, renderSYaml, TEST_ACCOUNT } from '../deploy/s-preview.js';
import { policyOf } from '../helpers/world.js';
import { ENCRYPT_POLICY } from './helpers.js';

let rendered: Obj;
beforeAll(() => {
  rendered = renderSYaml();
});

const props = (name: string) =>
  obj(obj(obj(rendered.resources, 'resources')[name], name).props, `${name}.props`);
const env = (name: string) => obj(props(name).environmentVariables, `${name} environmentVariables`);

describe('s.yaml backfill', () => {
  it('deploys the worker the auditor invokes, on the FC 3.0 invoke path, retried by Function Compute', () => {
    // Prepare
    const worker = props('backfill-worker');
    const auditor = env('bucket-auditor');

    // Act
    const target = fcTargetFromEnv(auditor as NodeJS.ProcessEnv);

    // Assess
    expect(worker.functionName).toBe(DEFAULT_WORKER_FUNCTION);
    expect(target).toEqual({ apiVersion: '2023-03-30', functionName: worker.functionName });
    expect(env('backfill-worker').OSS_SSE_GUARD_FC_API).toBe(auditor.OSS_SSE_GUARD_FC_API);
    expect(worker.triggers).toBeUndefined();
    expect(obj(worker.asyncInvokeConfig, 'asyncInvokeConfig').maxAsyncRetryAttempts).toBeGreaterThanOrEqual(
      1,
    );
    // Room for a page of checks and the 30 s kept for the checkpoint and the hand-off.
    expect(Number(worker.timeout)).toBeGreaterThanOrEqual(120);
    // It sends no alerts and reads the policy from the run: it is given neither.
    expect(Object.keys(env('backfill-worker')).filter((k) => /WEBHOOK|DINGTALK|POLICY/.test(k))).toEqual([]);
  });

  it('grants fc:InvokeFunction on exactly that function, to the auditor and to the worker itself', () => {
    // Prepare
    const ctx = {
      policy: policyOf(ENCRYPT_POLICY).policy,
      reportLocation: 'oss://cfg/reports',
      accountId: TEST_ACCOUNT,
    };
    const arn = `acs:fc:*:${TEST_ACCOUNT}:functions/${String(props('backfill-worker').functionName)}`;

    // Act
    const docs = [ramPolicy(ctx, ['bucket-auditor']), ramPolicy(ctx, ['backfill-worker'])];

    // Assess
    for (const doc of docs) {
      const invoke = doc.Statement.filter((s) => s.Action.includes('fc:InvokeFunction'));
      expect(invoke.map((s) => s.Resource)).toEqual([[arn]]);
    }
  });
});

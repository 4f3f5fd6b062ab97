/**
 * `oss-sse-guard emulator --seed demo` as other tools drive it: the first stdout line is one JSON object
 * with the endpoints and the access key; the real clients then work against it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import OSS from 'ali-oss';
import { describe, expect, it } from 'vitest';
import { KmsGateway } from '../../shared/cloud/kms.js';
import { OssGateway } from '../../shared/cloud/oss.js';
import { BIN, runCli } from '../helpers/cli.js';

interface EmulatorLine {
  oss: string;
  kms: string;
  fc: string;
  accessKeyId: string;
  accessKeySecret: string;
}

describe('emulator command', () => {
  it('prints the JSON line first and serves the demo account until killed', async () => {
    // Prepare
    const child = spawn(process.execPath, [BIN, 'emulator', '--seed', 'demo'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, 'line')) as [string];
      const info = JSON.parse(first) as EmulatorLine;
      const credentials = { accessKeyId: info.accessKeyId, accessKeySecret: info.accessKeySecret };

      // Act
      const oss = new OssGateway({ credentials, endpoint: info.oss });
      const names: Array<[string, string]> = [];
      for await (const page of oss.listBuckets()) for (const b of page) names.push([b.name, b.region]);
      const retired = await new KmsGateway({ credentials, endpoint: info.kms }).describeKey(
        'alias/analytics-retired',
        'cn-beijing',
      );
      const wrong = new OSS({
        region: 'oss-cn-hangzhou',
        endpoint: info.oss,
        accessKeyId: info.accessKeyId,
        accessKeySecret: 'nope',
      });
      const denied = await (wrong as unknown as { listBuckets(q: object): Promise<unknown> })
        .listBuckets({})
        .catch((e: { code?: string }) => e.code);

      // Assess
      expect(Object.keys(info).sort()).toEqual([
        'accessKeyId',
        'accessKeySecret',
        'accountId',
        'fc',
        'kms',
        'oss',
      ]);
      expect(info.oss).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(new Set(names.map(([, r]) => r))).toEqual(
        new Set(['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1']),
      );
      expect(names.length).toBeGreaterThanOrEqual(10);
      expect(retired.state).toBe('Disabled');
      expect(denied).toBe('SignatureDoesNotMatch');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('prints only export lines with --export, for eval, and leaves the emulators running until killed', async () => {
    // Prepare / Act
    const res = await runCli(['emulator', '--export']);
    const env = Object.fromEntries(
      res.stdout
        .trim()
        .split('\n')
        .map((l) => /^export ([A-Z_]+)='(.*)'$/.exec(l))
        .map((m) => [m?.[1], m?.[2]]),
    ) as Record<string, string>;
    const pid = Number(env.OSS_SSE_GUARD_EMULATOR_PID);
    try {
      const oss = new OssGateway({
        credentials: {
          accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? '',
          accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? '',
        },
        endpoint: env.OSS_SSE_GUARD_OSS_ENDPOINT ?? '',
      });
      const names: string[] = [];
      for await (const page of oss.listBuckets()) for (const b of page) names.push(b.name);

      // Assess
      expect(res.code).toBe(0);
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining([
          'OSS_SSE_GUARD_OSS_ENDPOINT',
          'OSS_SSE_GUARD_KMS_ENDPOINT',
          'OSS_SSE_GUARD_FC_ENDPOINT',
        ]),
      );
      expect(pid).toBeGreaterThan(0);
      expect(names).toContain('prod-orders');
    } finally {
      if (pid > 0) process.kill(pid, 'SIGTERM');
    }
  });

  it('refuses a bad seed with exit 2', async () => {
    const child = spawn(process.execPath, [BIN, 'emulator', '--seed', 'full'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(stderr).toContain('--seed: "full" must be demo or empty');
  });
});

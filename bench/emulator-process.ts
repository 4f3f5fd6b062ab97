/**
 * Starts bench/emulator-server.ts in its own Node process and drives it through its control channel.
 * Closing stdin (or `close()`) stops it, so it never outlives the benchmark.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FaultSpec } from '../emulator/core/faults.js';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const RUN_TS = fileURLToPath(new URL('../bin/run-ts.js', import.meta.url));

export interface EmulatorEndpoints {
  oss: string;
  kms: string;
  accessKeyId: string;
  accessKeySecret: string;
  control: string;
}

export interface EmulatorStats {
  cpuUserMs: number;
  cpuSystemMs: number;
  maxRssMB: number;
  counts: Record<string, number>;
}

export interface EmulatorProcess {
  endpoints: EmulatorEndpoints;
  /** The environment that points the product (and child auditors) at this emulator. */
  env: Record<string, string>;
  /** `cmk`: half the KMS buckets name a customer CMK of their region (one per region), the rest the OSS key. */
  seed(count: number, regions: string[], prefix?: string, cmk?: boolean): Promise<void>;
  seedObjects(bucket: string, region: string, count: number, prefix: string): Promise<void>;
  setFault(op: string, spec: FaultSpec): Promise<void>;
  clearFaults(): Promise<void>;
  stats(): Promise<EmulatorStats>;
  close(): Promise<void>;
}

async function firstLine(child: ChildProcess): Promise<string> {
  if (!child.stdout) throw new Error('emulator process has no stdout');
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('emulator process did not start in 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`emulator process exited with ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
  });
}

export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [RUN_TS, 'bench/emulator-server.ts'], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const endpoints = JSON.parse(await firstLine(child)) as EmulatorEndpoints;
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${endpoints.control}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const out = (await res.json()) as unknown;
    if (!res.ok) throw new Error(`emulator control ${method} ${path}: ${JSON.stringify(out)}`);
    return out;
  };
  return {
    endpoints,
    env: {
      OSS_SSE_GUARD_OSS_ENDPOINT: endpoints.oss,
      OSS_SSE_GUARD_KMS_ENDPOINT: endpoints.kms,
      ALIBABA_CLOUD_ACCESS_KEY_ID: endpoints.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: endpoints.accessKeySecret,
    },
    seed: async (count, regions, prefix, cmk) => {
      await call('POST', '/seed', { count, regions, prefix, cmk: cmk === true });
    },
    seedObjects: async (bucket, region, count, prefix) => {
      await call('POST', '/objects', { bucket, region, count, prefix });
    },
    setFault: async (op, spec) => {
      await call('POST', '/faults', { op, spec });
    },
    clearFaults: async () => {
      await call('POST', '/faults/clear');
    },
    stats: async () => (await call('GET', '/stats')) as EmulatorStats,
    close: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin?.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

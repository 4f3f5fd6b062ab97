/**
 * The ground the conformance suites stand on: the OSS and KMS emulators wired as `oss-sse-guard
 * emulator` wires them, started per test file on port 0, and the real ali-oss client with V1 and with
 * V4 signing. Each suite runs its cases once per signing version (`SIGNINGS`).
 */
import { randomBytes } from 'node:crypto';
import { type Emulators, startEmulators } from '../../emulator/index.js';
import { type OssClient, ossClient } from '../helpers/oss-test-client.js';

export const SIGNINGS = ['v1', 'v4'] as const;
export type Signing = (typeof SIGNINGS)[number];

export interface World {
  emu: Emulators;
  /** A client of the account's own AccessKey in `region` (default cn-hangzhou). */
  client(signing: Signing, region?: string): OssClient;
  /** A fresh bucket name (lower case, unique in the file) with a readable prefix. */
  bucketName(prefix: string): string;
  /** Creates a bucket through ali-oss and answers a client already using it. */
  newBucket(signing: Signing, prefix: string, region?: string): Promise<{ name: string; c: OssClient }>;
  /** An Enabled CMK in `region`, created through the KMS emulator's state. */
  newKey(region?: string): string;
  close(): Promise<void>;
}

/** Starts the emulators for one test file. */
export async function startWorld(): Promise<World> {
  const emu = await startEmulators({ seed: 'empty' });
  let n = 0;
  const client = (signing: Signing, region = 'cn-hangzhou') =>
    ossClient({ url: emu.oss.url, ...emu.credentials, region: `oss-${region}`, v4: signing === 'v4' });
  const bucketName = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}-${++n}`.toLowerCase();
  return {
    emu,
    client,
    bucketName,
    async newBucket(signing, prefix, region = 'cn-hangzhou') {
      const name = bucketName(prefix);
      const c = client(signing, region);
      await c.putBucket(name);
      return { name, c: c.useBucket(name) };
    },
    newKey(region = 'cn-hangzhou') {
      return emu.kms.state.createKey({ region }).keyId;
    },
    close: () => emu.close(),
  };
}

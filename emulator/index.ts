/**
 * The three emulators started together, wired to each other (the OSS emulator asks the KMS emulator
 * whether a key is usable), sharing one set of accounts. Used by tests, `oss-sse-guard emulator`,
 * and `npm start` (the embedded demo).
 */
import { Accounts, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_ACCOUNT_ID } from './core/accounts.js';
import { Faults } from './core/faults.js';
import { type FcEmulator, startFcEmulator } from './fc/index.js';
import { type KmsEmulator, startKmsEmulator } from './kms/index.js';
import { type OssEmulator, startOssEmulator } from './oss/index.js';
import { seedDemo } from './seed.js';

export interface EmulatorsOptions {
  /** OSS port; KMS and FC take the next two. 0 (default): free ports. */
  port?: number;
  seed?: 'demo' | 'empty';
  /** Seed of the fault PRNG (reproducible fault sampling). */
  faultSeed?: number;
  now?: () => Date;
  asyncConcurrency?: number;
}

export interface Emulators {
  oss: OssEmulator;
  kms: KmsEmulator;
  fc: FcEmulator;
  accounts: Accounts;
  accountId: string;
  credentials: { accessKeyId: string; accessKeySecret: string };
  /** The environment that points the product at these emulators (endpoints and credentials). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts OSS, KMS and FC emulators on loopback with the demo access key, optionally seeded. */
export async function startEmulators(opts: EmulatorsOptions = {}): Promise<Emulators> {
  const accounts = new Accounts(DEMO_ACCOUNT_ID);
  const credentials = { accessKeyId: DEMO_ACCESS_KEY_ID, accessKeySecret: DEMO_ACCESS_KEY_SECRET };
  accounts.add({ ...credentials });
  const base = opts.port ?? 0;
  const port = (offset: number) => (base === 0 ? 0 : base + offset);
  const kms = await startKmsEmulator({
    accounts,
    port: port(1),
    faults: new Faults(opts.faultSeed ?? 1),
    now: opts.now,
  });
  const oss = await startOssEmulator({
    accounts,
    port: port(0),
    faults: new Faults(opts.faultSeed ?? 1),
    now: opts.now,
    kms: (ref, region) => kms.state.lookup(ref, region),
    // The OSS service key exists in KMS in each region where OSS encrypted something with it.
    kmsServiceKey: (region) => kms.state.serviceKey(region).keyId,
  });
  const fc = await startFcEmulator({
    accounts,
    port: port(2),
    faults: new Faults(opts.faultSeed ?? 1),
    now: opts.now,
    asyncConcurrency: opts.asyncConcurrency,
  });
  if (opts.seed === 'demo') seedDemo(oss.state, kms.state);
  const env = {
    OSS_SSE_GUARD_OSS_ENDPOINT: oss.url,
    OSS_SSE_GUARD_KMS_ENDPOINT: kms.url,
    OSS_SSE_GUARD_FC_ENDPOINT: fc.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: credentials.accessKeySecret,
  };
  return {
    oss,
    kms,
    fc,
    accounts,
    accountId: accounts.accountId,
    credentials,
    env,
    close: async () => {
      await Promise.all([fc.close(), oss.close(), kms.close()]);
    },
  };
}

/**
 * KMS emulator: the POP RPC API (version 2016-01-20, JSON, HMAC-SHA1 signature) that
 * @alicloud/kms20160120 calls, for CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey,
 * ScheduleKeyDeletion, CancelKeyDeletion, CreateAlias and ListAliases, with regional keys, key states,
 * RAM policies, STS tokens and injected faults. Loopback only.
 *
 * Regions: the real service tells regions apart by endpoint (`kms.<region>.aliyuncs.com`) and the SDK
 * sends nothing else that names a region, so the emulator gives each region its own loopback endpoint:
 * `hostPort` serves the default region (`region` option, default cn-hangzhou) and `endpointFor(region)`
 * opens (once) and returns the `127.0.0.1:PORT` of any other region. See server.ts for the full rule.
 */
import type { Accounts } from '../core/accounts.js';
import { Faults } from '../core/faults.js';
import { listen, type RunningServer } from '../core/http.js';
import { NonceCache } from './auth.js';
import { type KmsServerContext, kmsRequestListener } from './server.js';
import { KmsState } from './state.js';

export { KmsError } from './errors.js';
export { OSS_SERVICE_KEY_ALIAS, ossServiceKeyId } from './service-key.js';
export type { CreateKeyInput, KeyLookup, KeySpec, KeyState, KmsAlias, KmsKey } from './state.js';
export { KmsState } from './state.js';

export interface KmsEmulatorOptions {
  accounts: Accounts;
  port?: number;
  faults?: Faults;
  now?: () => Date;
  /** Region served by `hostPort` when a request names none (default cn-hangzhou). */
  region?: string;
  /** Regions whose dedicated endpoints are opened at start (others open on `endpointFor`). */
  regions?: string[];
}

export interface KmsEmulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, what the SDK's `endpoint` option takes. */
  hostPort: string;
  port: number;
  /** The default region, served by `hostPort`. */
  region: string;
  faults: Faults;
  state: KmsState;
  /** The `127.0.0.1:PORT` endpoint dedicated to `region` (the default region's is `hostPort`). */
  endpointFor(region: string): Promise<string>;
  /**
   * Requests received for `action` (every one that reached the emulator, faulted or not), per region and
   * `KeyId` parameter: what tests count to prove an inspector asks once per key per region.
   */
  calls(action: string): Array<{ region: string; keyId: string; count: number }>;
  /** Region -> endpoint of every endpoint opened so far (the default region included). */
  endpoints(): Record<string, string>;
  close(): Promise<void>;
}

const hostPortOf = (server: RunningServer) => `127.0.0.1:${server.port}`;

/** Starts the KMS emulator on 127.0.0.1 (port 0 picks a free port). */
export async function startKmsEmulator(opts: KmsEmulatorOptions): Promise<KmsEmulator> {
  const now = opts.now ?? (() => new Date());
  const region = opts.region ?? 'cn-hangzhou';
  const faults = opts.faults ?? new Faults();
  const state = new KmsState(opts.accounts.accountId, now);
  const ctx: KmsServerContext = {
    accounts: opts.accounts,
    state,
    faults,
    nonces: new NonceCache(),
    now,
    defaultRegion: region,
    calls: new Map(),
  };
  const main = await listen(kmsRequestListener(ctx), opts.port ?? 0);
  const regional = new Map<string, Promise<RunningServer>>();
  const opened = new Map<string, string>([[region, hostPortOf(main)]]);

  const endpointFor = async (r: string): Promise<string> => {
    if (r === region) return hostPortOf(main);
    let server = regional.get(r);
    if (!server) {
      server = listen(kmsRequestListener(ctx, r), 0);
      regional.set(r, server);
    }
    const hostPort = hostPortOf(await server);
    opened.set(r, hostPort);
    return hostPort;
  };
  for (const r of opts.regions ?? []) await endpointFor(r);

  return {
    url: main.url,
    hostPort: hostPortOf(main),
    port: main.port,
    region,
    faults,
    state,
    endpointFor,
    calls: (action) => {
      const out: Array<{ region: string; keyId: string; count: number }> = [];
      for (const [k, count] of ctx.calls) {
        const [a, r, keyId] = k.split('\n');
        if (a === action && r !== undefined && keyId !== undefined) out.push({ region: r, keyId, count });
      }
      return out;
    },
    endpoints: () => Object.fromEntries(opened),
    close: async () => {
      const servers = await Promise.all(regional.values());
      await Promise.all([main.close(), ...servers.map((s) => s.close())]);
    },
  };
}

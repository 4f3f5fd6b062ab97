import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  credentialsFromContext,
  credentialsFromEnv,
  resolveCredentials,
} from '../../shared/cloud/credentials.js';
import type { FcContext } from '../../shared/cloud/fc-context.js';
import { parseBoolean, settingsFromEnv } from '../../shared/config.js';
import { ConfigError, EventError } from '../../shared/errors.js';
import { parseTimerEvent } from '../../shared/triggers.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('credentials', () => {
  it('reads the Alibaba Cloud names first, then the OSS documentation names, with an STS token', () => {
    expect(
      credentialsFromEnv({
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'id1',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's1',
        ALIBABA_CLOUD_SECURITY_TOKEN: 't1',
        OSS_ACCESS_KEY_ID: 'id2',
        OSS_ACCESS_KEY_SECRET: 's2',
      }),
    ).toEqual({ accessKeyId: 'id1', accessKeySecret: 's1', securityToken: 't1' });
    expect(credentialsFromEnv({ OSS_ACCESS_KEY_ID: 'id2', OSS_ACCESS_KEY_SECRET: 's2' })).toEqual({
      accessKeyId: 'id2',
      accessKeySecret: 's2',
    });
    expect(credentialsFromEnv({})).toBeUndefined();
  });

  it('names the missing half of a key pair', () => {
    expect(() => credentialsFromEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'id' })).toThrow(
      /ALIBABA_CLOUD_ACCESS_KEY_SECRET is missing/,
    );
    expect(() => credentialsFromEnv({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's' })).toThrow(
      /ALIBABA_CLOUD_ACCESS_KEY_ID is missing/,
    );
  });

  it('takes a function context STS triple and refuses a context without a role', () => {
    const ctx = {
      requestId: 'r',
      credentials: { accessKeyId: 'STS.x', accessKeySecret: 'y', securityToken: 'z' },
      function: { name: 'f', timeout: 60 },
      region: 'cn-hangzhou',
      accountId: '1',
    } satisfies FcContext;
    expect(credentialsFromContext(ctx)).toEqual({
      accessKeyId: 'STS.x',
      accessKeySecret: 'y',
      securityToken: 'z',
    });
    const noRole = { ...ctx, credentials: { accessKeyId: '', accessKeySecret: '' } };
    expect(() => credentialsFromContext(noRole)).toThrow(/give the function a role/);
  });

  it('falls back to the default chain and says what to set when it finds nothing', async () => {
    // Prepare: an empty home (no profile files), metadata service disabled by test/setup.ts
    vi.stubEnv('HOME', await mkdtemp(`${tmpdir()}/home-`));
    vi.stubEnv('ALIBABA_CLOUD_PROFILE', '');
    vi.stubEnv('ALIBABA_CLOUD_CREDENTIALS_FILE', '');
    vi.stubEnv('ALIBABA_CLOUD_ECS_METADATA_DISABLED', 'true');

    // Act
    const failure = await resolveCredentials({}).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toMatch(
      /set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET/,
    );
  });
});

describe('settings', () => {
  it('reads endpoints, normalising a bare host:port to http', () => {
    const s = settingsFromEnv({
      OSS_SSE_GUARD_OSS_ENDPOINT: 'http://127.0.0.1:9000/',
      OSS_SSE_GUARD_KMS_ENDPOINT: '127.0.0.1:9001',
      OSS_SSE_GUARD_SIGNATURE: 'V4',
      DRY_RUN: 'yes',
    });
    expect(s).toMatchObject({
      ossEndpoint: 'http://127.0.0.1:9000',
      kmsEndpoint: 'http://127.0.0.1:9001',
      ossSignatureV4: true,
      dryRun: true,
      homeRegion: 'cn-hangzhou',
    });
  });

  it('names the bad variable and value', () => {
    expect(() => settingsFromEnv({ OSS_SSE_GUARD_OSS_ENDPOINT: 'ftp://x' })).toThrow(
      'OSS_SSE_GUARD_OSS_ENDPOINT: "ftp://x" is not an http(s) URL',
    );
    expect(() => settingsFromEnv({ DRY_RUN: 'perhaps' })).toThrow('DRY_RUN: "perhaps" is not a boolean');
    expect(() => settingsFromEnv({ OSS_SSE_GUARD_SIGNATURE: 'v2' })).toThrow('must be v1 or v4');
    expect(() => settingsFromEnv({ OSS_SSE_GUARD_HOME_REGION: 'Hangzhou!' })).toThrow('is not a region id');
    expect(parseBoolean('X', '  ', true)).toBe(true);
    expect(parseBoolean('X', 'off', true)).toBe(false);
  });
});

describe('timer events', () => {
  it('parses the documented timer event and accepts an empty test invocation', () => {
    // Function Compute "trigger event formats", timer trigger (shared wire sample fc-timer-event.json)
    const doc = '{"triggerTime":"2018-02-09T05:49:00Z","triggerName":"timer-trigger","payload":"awesome-fc"}';
    expect(parseTimerEvent(Buffer.from(doc))).toEqual({
      triggerTime: '2018-02-09T05:49:00Z',
      triggerName: 'timer-trigger',
      payload: 'awesome-fc',
    });
    expect(parseTimerEvent('')).toEqual({});
  });

  it('refuses non-objects and wrong field types with a clear reason', () => {
    expect(() => parseTimerEvent('[1]')).toThrow(EventError);
    expect(() => parseTimerEvent('[1]')).toThrow('timer event: expected a JSON object');
    expect(() => parseTimerEvent('{"payload": 3}')).toThrow('timer event: payload must be a string');
    expect(() => parseTimerEvent('nope')).toThrow('timer event: not JSON');
  });
});

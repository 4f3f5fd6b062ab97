/**
 * KMS emulator against the real @alicloud/kms20160120 client over HTTP.
 *
 * The client is CommonJS with `__esModule` and `exports.default = Client`. Under Node's own ESM loader
 * (and in TypeScript with NodeNext) the default import is `module.exports`, so the class is
 * `default.default`; vitest's interop unwraps it, so there the default import is the class itself. The
 * namespace import below works in both; request classes are named exports in both. `Config` lives in
 * @alicloud/rpc-client (not a direct dependency), so the tests pass a plain object, which the client
 * accepts (`$tea.toMap` returns non-models as they are).
 */
import * as kms from '@alicloud/kms20160120';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET } from '../../emulator/core/accounts.js';
import { Faults } from '../../emulator/core/faults.js';
import { rpcSign, rpcStringToSign } from '../../emulator/kms/auth.js';
import { type KmsEmulator, startKmsEmulator } from '../../emulator/kms/index.js';

type KmsClientClass = typeof kms.default.default;
const kmsDefault = kms.default as unknown as KmsClientClass | { default: KmsClientClass };
const KmsClient: KmsClientClass = typeof kmsDefault === 'function' ? kmsDefault : kmsDefault.default;
type KmsConfig = ConstructorParameters<typeof KmsClient>[0];
type Client = InstanceType<typeof KmsClient>;

/** What the client throws for a 4xx/5xx answer (a tea `ResponseError`). */
interface TeaError extends Error {
  code?: string;
  statusCode?: number;
  data?: Record<string, unknown>;
}

interface Creds {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

const DEMO: Creds = { accessKeyId: DEMO_ACCESS_KEY_ID, accessKeySecret: DEMO_ACCESS_KEY_SECRET };
const STS: Creds = { accessKeyId: 'STS.EMUKMS', accessKeySecret: 'sts-secret', securityToken: 'sts-token' };
const READER: Creds = { accessKeyId: 'EMUREADER', accessKeySecret: 'reader-secret' };

let accounts: Accounts;
let faults: Faults;
let emu: KmsEmulator;
let clockOffsetMs = 0;

function client(creds: Creds = DEMO, endpoint = emu.hostPort, readTimeout?: number): Client {
  return new KmsClient({
    ...creds,
    regionId: 'cn-hangzhou',
    endpoint,
    protocol: 'http',
    readTimeout,
  } as KmsConfig);
}

async function failure(p: Promise<unknown>): Promise<TeaError> {
  try {
    await p;
  } catch (err) {
    return err as TeaError;
  }
  throw new Error('expected the call to fail');
}

/**
 * A GET request signed with the emulator's own signer (checked against the documentation example
 * below), for what the SDK cannot send: a replayed nonce, an unknown action, a `RegionId` parameter.
 */
function signedUrl(extra: Record<string, string>): string {
  const params: Record<string, string> = {
    Format: 'JSON',
    Version: '2016-01-20',
    AccessKeyId: DEMO.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: Math.random().toString(36).slice(2),
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...extra,
  };
  params.Signature = rpcSign('GET', params, DEMO.accessKeySecret);
  return `${emu.url}/?${new URLSearchParams(params)}`;
}

const describeKey = (keyId: string, c: Client = client()) =>
  c.describeKey(new kms.DescribeKeyRequest({ keyId }));

beforeAll(async () => {
  accounts = new Accounts();
  accounts.add({ ...DEMO });
  accounts.add({ ...STS });
  accounts.add({
    ...READER,
    policy: {
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['kms:List*', 'kms:Describe*'], Resource: '*' }],
    },
  });
  faults = new Faults(7);
  emu = await startKmsEmulator({ accounts, faults, now: () => new Date(Date.now() + clockOffsetMs) });
});

afterAll(async () => {
  await emu.close();
});

describe('key operations', () => {
  it('creates a key and describes it with the documented KeyMetadata', async () => {
    // Prepare
    const c = client();

    // Act
    const created = await c.createKey(
      new kms.CreateKeyRequest({ description: 'reports', keySpec: 'Aliyun_SM4' }),
    );
    const described = await describeKey(created.keyMetadata.keyId, c);

    // Assess
    const meta = described.keyMetadata;
    expect(meta.keyState).toBe('Enabled');
    expect(meta.keySpec).toBe('Aliyun_SM4');
    expect(meta.description).toBe('reports');
    expect(meta.creator).toBe(accounts.accountId);
    expect(meta.origin).toBe('Aliyun_KMS');
    expect(meta.deleteDate).toBe('');
    expect(meta.arn).toBe(`acs:kms:cn-hangzhou:${accounts.accountId}:key/${meta.keyId}`);
    expect(meta.creationDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(described.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('disables and re-enables a key', async () => {
    // Prepare
    const key = emu.state.createKey({ region: 'cn-hangzhou' });
    const c = client();

    // Act
    await c.disableKey(new kms.DisableKeyRequest({ keyId: key.keyId }));
    const disabled = await describeKey(key.keyId, c);
    await c.enableKey(new kms.EnableKeyRequest({ keyId: key.keyId }));
    const enabled = await describeKey(key.keyId, c);

    // Assess
    expect(disabled.keyMetadata.keyState).toBe('Disabled');
    expect(enabled.keyMetadata.keyState).toBe('Enabled');
  });

  it('schedules deletion with a DeleteDate, refuses to enable, and cancels back to Enabled', async () => {
    // Prepare
    const key = emu.state.createKey({ region: 'cn-hangzhou' });
    const c = client();

    // Act
    await c.scheduleKeyDeletion(
      new kms.ScheduleKeyDeletionRequest({ keyId: key.keyId, pendingWindowInDays: 7 }),
    );
    const pending = await describeKey(key.keyId, c);
    const enableErr = await failure(c.enableKey(new kms.EnableKeyRequest({ keyId: key.keyId })));
    await c.cancelKeyDeletion(new kms.CancelKeyDeletionRequest({ keyId: key.keyId }));
    const restored = await describeKey(key.keyId, c);

    // Assess
    expect(pending.keyMetadata.keyState).toBe('PendingDeletion');
    const days = (Date.parse(pending.keyMetadata.deleteDate) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);
    expect(enableErr.code).toBe('Rejected.StateModifiedFailedError');
    expect(enableErr.message).toMatch(/^[\w.]+Error: code: 409, /);
    expect(restored.keyMetadata.keyState).toBe('Enabled');
    expect(restored.keyMetadata.deleteDate).toBe('');
  });

  it('rejects a deletion window outside 7..366 days', async () => {
    // Prepare
    const key = emu.state.createKey({ region: 'cn-hangzhou' });

    // Act
    const err = await failure(
      client().scheduleKeyDeletion(
        new kms.ScheduleKeyDeletionRequest({ keyId: key.keyId, pendingWindowInDays: 3 }),
      ),
    );

    // Assess
    expect(err.code).toBe('InvalidParameterError');
    expect(err.message).toContain('code: 400');
  });

  it('forgets a key once its deletion window has passed', async () => {
    // Prepare
    const key = emu.state.createKey({ region: 'cn-hangzhou' });
    emu.state.scheduleDeletion(key.keyId, 7);

    // Act
    clockOffsetMs = 8 * 86_400_000;
    const afterWindow = emu.state.lookup(key.keyId, 'cn-hangzhou');
    clockOffsetMs = 0;

    // Assess
    expect(afterWindow).toBeUndefined();
  });

  it('shows disabled and pending-import states in DescribeKey', async () => {
    // Prepare
    const disabled = emu.state.createKey({ region: 'cn-hangzhou', state: 'Disabled' });
    const external = emu.state.createKey({ region: 'cn-hangzhou', origin: 'EXTERNAL' });

    // Act
    const a = await describeKey(disabled.keyId);
    const b = await describeKey(external.keyId);

    // Assess
    expect(a.keyMetadata.keyState).toBe('Disabled');
    expect(b.keyMetadata.keyState).toBe('PendingImport');
    expect(b.keyMetadata.origin).toBe('EXTERNAL');
  });

  it('pages ListKeys with PageNumber, PageSize, TotalCount and KeyArn', async () => {
    // Prepare
    const region = 'cn-qingdao';
    const ids = [1, 2, 3].map(() => emu.state.createKey({ region }).keyId);
    const c = client(DEMO, await emu.endpointFor(region));

    // Act
    const first = await c.listKeys(new kms.ListKeysRequest({ pageNumber: 1, pageSize: 2 }));
    const second = await c.listKeys(new kms.ListKeysRequest({ pageNumber: 2, pageSize: 2 }));

    // Assess
    expect(first.totalCount).toBe(3);
    expect(first.pageSize).toBe(2);
    expect(first.keys.key.map((k) => k.keyId)).toEqual(ids.slice(0, 2));
    expect(second.pageNumber).toBe(2);
    expect(second.keys.key.map((k) => k.keyId)).toEqual(ids.slice(2));
    expect(second.keys.key[0]?.keyArn).toBe(`acs:kms:${region}:${accounts.accountId}:key/${ids[2]}`);
  });
});

describe('aliases and regions', () => {
  it('creates an alias, lists it and resolves it in DescribeKey', async () => {
    // Prepare
    const key = emu.state.createKey({ region: 'cn-hangzhou' });
    const c = client();

    // Act
    await c.createAlias(new kms.CreateAliasRequest({ aliasName: 'alias/prod-oss', keyId: key.keyId }));
    const byAlias = await describeKey('alias/prod-oss', c);
    const aliases = await c.listAliases(new kms.ListAliasesRequest({ pageSize: 100 }));

    // Assess
    expect(byAlias.keyMetadata.keyId).toBe(key.keyId);
    expect(aliases.aliases.alias).toContainEqual({
      keyId: key.keyId,
      aliasName: 'alias/prod-oss',
      aliasArn: `acs:kms:cn-hangzhou:${accounts.accountId}:alias/prod-oss`,
    });
    expect(emu.state.lookup('alias/prod-oss', 'cn-hangzhou')?.keyId).toBe(key.keyId);
  });

  it('refuses a second alias with the same name', async () => {
    // Prepare
    const key = emu.state.createKey({ region: 'cn-hangzhou' });
    emu.state.createAlias('alias/taken', key.keyId);

    // Act
    const err = await failure(
      client().createAlias(new kms.CreateAliasRequest({ aliasName: 'alias/taken', keyId: key.keyId })),
    );

    // Assess
    expect(err.code).toBe('AliasAlreadyExistsError');
  });

  it('resolves a key ARN in DescribeKey', async () => {
    // Prepare
    const key = emu.state.createKey({ region: 'cn-hangzhou' });

    // Act
    const res = await describeKey(key.arn);

    // Assess
    expect(res.keyMetadata.keyId).toBe(key.keyId);
  });

  it('does not find a key of another region, by id, ARN or alias', async () => {
    // Prepare
    const foreign = emu.state.createKey({ region: 'cn-shanghai' });
    emu.state.createAlias('alias/shanghai-only', foreign.keyId);

    // Act
    const byId = await failure(describeKey(foreign.keyId));
    const byArn = await failure(describeKey(foreign.arn));
    const byAlias = await failure(describeKey('alias/shanghai-only'));
    const inItsRegion = await describeKey(foreign.keyId, client(DEMO, await emu.endpointFor('cn-shanghai')));

    // Assess
    expect(byId.code).toBe('Forbidden.KeyNotFoundError');
    expect(byId.message).toMatch(
      /^[\w.]+Error: code: 404, The specified Key is not found\. requestid: [0-9a-f-]{36}$/,
    );
    expect(byArn.code).toBe('Forbidden.KeyNotFoundError');
    expect(byAlias.code).toBe('Forbidden.AliasNotFoundError');
    expect(inItsRegion.keyMetadata.arn).toContain(':cn-shanghai:');
    expect(emu.state.lookup(foreign.keyId, 'cn-hangzhou')).toBeUndefined();
    expect(emu.state.lookup(foreign.arn, 'cn-shanghai')?.state).toBe('Enabled');
  });

  it('takes the region from a RegionId parameter, as older POP SDKs send it', async () => {
    // Prepare
    const key = emu.state.createKey({ region: 'cn-beijing' });

    // Act
    const res = await fetch(signedUrl({ Action: 'DescribeKey', KeyId: key.keyId, RegionId: 'cn-beijing' }));
    const withoutRegion = await fetch(signedUrl({ Action: 'DescribeKey', KeyId: key.keyId }));

    // Assess
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ KeyMetadata: { KeyId: key.keyId, KeyState: 'Enabled' } });
    expect(withoutRegion.status).toBe(404);
  });

  it('answers an unknown key with the documented error body in err.data', async () => {
    // Act
    const err = await failure(describeKey('00000000-0000-0000-0000-000000000000'));

    // Assess
    expect(Object.keys(err.data ?? {}).sort()).toEqual(['Code', 'HostId', 'Message', 'RequestId']);
    expect(err.data).toMatchObject({
      Code: 'Forbidden.KeyNotFound',
      HostId: 'kms.cn-hangzhou.aliyuncs.com',
      Message: 'The specified Key is not found.',
    });
    // The client never sets statusCode: the status is only in the message.
    expect(err.statusCode).toBeUndefined();
  });
});

describe('authentication and authorization', () => {
  it('rejects a wrong secret with IncompleteSignature', async () => {
    // Act
    const err = await failure(
      client({ ...DEMO, accessKeySecret: 'wrong' }).listKeys(new kms.ListKeysRequest({})),
    );

    // Assess
    expect(err.code).toBe('IncompleteSignatureError');
    expect(err.message).toMatch(/^[\w.]+Error: code: 400, /);
  });

  it('rejects an unknown access key id', async () => {
    // Act
    const err = await failure(
      client({ accessKeyId: 'NOPE', accessKeySecret: 'x' }).listKeys(new kms.ListKeysRequest({})),
    );

    // Assess
    expect(err.code).toBe('InvalidAccessKeyId.NotFoundError');
  });

  it('accepts STS credentials only with their security token', async () => {
    // Act
    const ok = await client(STS).listKeys(new kms.ListKeysRequest({}));
    const missing = await failure(
      client({ ...STS, securityToken: undefined }).listKeys(new kms.ListKeysRequest({})),
    );
    const wrong = await failure(
      client({ ...STS, securityToken: 'other' }).listKeys(new kms.ListKeysRequest({})),
    );

    // Assess
    expect(ok.totalCount).toBeGreaterThan(0);
    expect(missing.code).toBe('MissingSecurityTokenError');
    expect(wrong.code).toBe('InvalidSecurityToken.MismatchWithAccessKeyError');
  });

  it('enforces the RAM policy of the access key', async () => {
    // Prepare
    const key = emu.state.createKey({ region: 'cn-hangzhou' });
    const reader = client(READER);

    // Act
    const described = await describeKey(key.keyId, reader);
    const denied = await failure(reader.disableKey(new kms.DisableKeyRequest({ keyId: key.keyId })));

    // Assess
    expect(described.keyMetadata.keyState).toBe('Enabled');
    expect(denied.code).toBe('Forbidden.NoPermissionError');
    expect(denied.message).toMatch(/^[\w.]+Error: code: 403, /);
    expect(emu.state.lookup(key.keyId, 'cn-hangzhou')?.state).toBe('Enabled');
  });

  it('rejects a request whose Timestamp is more than 15 minutes off', async () => {
    // Prepare
    clockOffsetMs = 60 * 60_000;

    // Act
    const err = await failure(client().listKeys(new kms.ListKeysRequest({}))).finally(() => {
      clockOffsetMs = 0;
    });

    // Assess
    expect(err.code).toBe('InvalidTimeStamp.ExpiredError');
  });

  it('signs like the KMS "Signature" documentation example', () => {
    // Prepare: the documented CreateKey request. The signed URL of that page carries the signature below,
    // as does @alicloud/rpc-util; the page's intermediate StringToSign leaves the `&` between pairs
    // unencoded (a typo: the rule it states encodes them as %26).
    const params = {
      Action: 'CreateKey',
      SignatureVersion: '1.0',
      Format: 'json',
      Version: '2016-01-20',
      AccessKeyId: 'testid',
      SignatureMethod: 'HMAC-SHA1',
      Timestamp: '2016-03-28T03:13:08Z',
    };

    // Act
    const signature = rpcSign('GET', params, 'testsecret');
    const stringToSign = rpcStringToSign('GET', params);

    // Assess
    expect(signature).toBe('41wk2SSX1GJh7fwnc5eqOfiJPFg=');
    expect(stringToSign).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DCreateKey%26Format%3Djson%26SignatureMethod%3DHMAC-SHA1' +
        '%26SignatureVersion%3D1.0%26Timestamp%3D2016-03-28T03%253A13%253A08Z%26Version%3D2016-01-20',
    );
  });

  it('refuses a replayed SignatureNonce and an unknown action', async () => {
    // Prepare
    const url = signedUrl({ Action: 'ListKeys', SignatureNonce: 'nonce-replayed' });

    // Act
    const first = await fetch(url);
    const replay = await fetch(url);
    const unknown = await fetch(signedUrl({ Action: 'EncryptEverything' }));

    // Assess
    expect(first.status).toBe(200);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ Code: 'SignatureNonceUsed' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ Code: 'InvalidAction.NotFound' });
  });
});

describe('faults', () => {
  it('answers Throttling (HTTP 400) when the operation is throttled', async () => {
    // Prepare
    faults.set('ListKeys', { throttleRate: 1, times: 1 });

    // Act
    const err = await failure(client().listKeys(new kms.ListKeysRequest({})));

    // Assess
    expect(err.code).toBe('ThrottlingError');
    expect(err.message).toMatch(/^[\w.]+Error: code: 400, Request was denied due to request throttling\./);
  });

  it('answers InternalFailure 500 and ServiceUnavailableTemporary 503', async () => {
    // Prepare
    faults.set('DescribeKey', { errorRate: 1, times: 1 });
    const key = emu.state.createKey({ region: 'cn-hangzhou' });

    // Act
    const e500 = await failure(describeKey(key.keyId));
    faults.set('DescribeKey', { errorRate: 1, errorStatus: 503, times: 1 });
    const e503 = await failure(describeKey(key.keyId));

    // Assess
    expect(e500.code).toBe('InternalFailureError');
    expect(e500.message).toMatch(/^[\w.]+Error: code: 500, /);
    expect(e503.code).toBe('ServiceUnavailableTemporaryError');
  });

  it('drops the connection', async () => {
    // Prepare
    faults.set('ListAliases', { dropRate: 1, times: 1 });

    // Act
    const err = await failure(client().listAliases(new kms.ListAliasesRequest({})));
    const after = await client().listAliases(new kms.ListAliasesRequest({}));

    // Assess
    expect(err.code).toBe('ECONNRESET');
    expect(after.requestId).toBeTruthy();
    expect(faults.count('ListAliases')).toBeGreaterThanOrEqual(2);
  });

  it('adds latency, which a short readTimeout turns into a timeout', async () => {
    // Prepare
    faults.set('ListKeys', { latencyMs: 150, times: 2 });

    // Act
    const started = Date.now();
    await client().listKeys(new kms.ListKeysRequest({}));
    const elapsed = Date.now() - started;
    const err = await failure(client(DEMO, emu.hostPort, 50).listKeys(new kms.ListKeysRequest({})));

    // Assess
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(err.name).toBe('RequestTimeoutError');
  });
});

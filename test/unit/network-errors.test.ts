/**
 * Failures that never reach the service read as one sentence naming the operation, the endpoint and what
 * to check, through the real ali-oss and KMS clients over loopback (a closed port, an unresolvable `.invalid`
 * host, RFC 6761); ali-oss's agent dump goes to the debug log only. AccessDenied says what to check.
 */
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { KmsGateway } from '../../shared/cloud/kms.js';
import { describeNetworkError } from '../../shared/cloud/network-errors.js';
import { OssGateway } from '../../shared/cloud/oss.js';
import type { CloudError } from '../../shared/errors.js';
import { createLogger } from '../../shared/log.js';
import { startWorld, type World } from '../helpers/world.js';

const credentials = { accessKeyId: 'EMUAKID-NET', accessKeySecret: 'net-test-secret' };
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function capture() {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) logs.push(JSON.parse(l));
      cb();
    },
  });
  return { logs, logger: createLogger({ level: 'debug', destination: sink }) };
}

describe('network error sentences', () => {
  it('names the endpoint and the refused connection, keeping the agent dump for the debug log', async () => {
    // Prepare
    const port = await closedPort();
    const { logs, logger } = capture();
    const oss = new OssGateway({
      credentials,
      endpoint: `http://127.0.0.1:${port}`,
      logger,
      retry: { maxAttempts: 1 },
    });

    // Act
    const err = (await oss.listBucketsPage({}).catch((e: CloudError) => e)) as CloudError;

    // Assess
    expect(err.message).toBe(
      `ListBuckets (marker ""): endpoint http://127.0.0.1:${port}: the connection was refused; check the endpoint URL and port, and that nothing blocks outbound connections (ECONNREFUSED)`,
    );
    expect(err.message).not.toContain('agent status');
    expect(err.retryable).toBe(true);
    expect(JSON.stringify(logs)).toContain('agent status');
    expect(JSON.stringify(logs)).not.toContain('net-test-secret');
  });

  it('says DNS when the host does not resolve', async () => {
    // Prepare
    const oss = new OssGateway({
      credentials,
      endpoint: 'http://oss-sse-guard-test.invalid',
      retry: { maxAttempts: 1 },
    });

    // Act
    const err = (await oss.listBucketsPage({}).catch((e: CloudError) => e)) as CloudError;

    // Assess
    expect(err.message).toMatch(
      /endpoint http:\/\/oss-sse-guard-test\.invalid: the host name does not resolve \(DNS\)/,
    );
  });

  it('gives the KMS client the same sentence for a refused connection', async () => {
    // Prepare
    const port = await closedPort();
    const kms = new KmsGateway({
      credentials,
      endpoint: `http://127.0.0.1:${port}`,
      retry: { maxAttempts: 1 },
    });

    // Act
    const err = (await kms.describeKey('alias/x', 'cn-hangzhou').catch((e: CloudError) => e)) as CloudError;

    // Assess
    expect(err.message).toMatch(
      /^KMS key "alias\/x" \(cn-hangzhou\): DescribeKey: the connection was refused; .*\(ECONNREFUSED\)$/,
    );
  });

  it('tells what to check on AccessDenied, with the request id', async () => {
    // Prepare
    world = await startWorld();
    world.emu.oss.state.createBucket('locked', 'cn-hangzhou');
    world.emu.accounts.add({ ...credentials, policy: { Version: '1', Statement: [] } });
    const oss = world.runtimeFor(credentials).oss;

    // Act
    const err = (await oss
      .getBucketEncryption({ name: 'locked', region: 'cn-hangzhou' })
      .catch((e: CloudError) => e)) as CloudError;

    // Assess
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toMatch(
      /^Bucket "locked" \(cn-hangzhou\): GetBucketEncryption: AccessDenied \(403\): .*check that the RAM policy grants this call \(oss-sse-guard ram-policy prints it\), request id \S+$/,
    );
  });

  it('classifies TLS failures and timeouts by their Node codes', () => {
    // Act
    const tls = describeNetworkError(
      Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }),
    );
    const timeout = describeNetworkError(
      Object.assign(new Error('x'), { name: 'ResponseTimeoutError', status: -2 }),
    );
    const answer = describeNetworkError(
      Object.assign(new Error('Forbidden'), { status: 403, code: 'AccessDenied' }),
    );

    // Assess
    expect(tls).toMatchObject({ kind: 'tls', code: 'CERT_HAS_EXPIRED' });
    expect(timeout?.kind).toBe('timeout');
    expect(answer).toBeUndefined();
  });
});

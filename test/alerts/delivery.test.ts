/**
 * Alert delivery against a real HTTP server on 127.0.0.1 (port 0): signatures are checked here with
 * node:crypto, independently of the code under test. DingTalk's signing scheme is the documented one:
 * base64(HMAC-SHA256(key = secret, data = timestamp + "\n" + secret)), URL-encoded.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DeliveryOptions, deliver, sendAlerts } from '../../shared/alerts/deliver.js';
import { dingtalkSink } from '../../shared/alerts/dingtalk.js';
import { type AlertMessage, alertsForRun } from '../../shared/alerts/messages.js';
import type { Severity } from '../../shared/alerts/schema.js';
import { buildSinks } from '../../shared/alerts/sinks.js';
import { webhookSink } from '../../shared/alerts/webhook.js';
import { createLogger } from '../../shared/log.js';
import { type Report, summarize } from '../../shared/model.js';
import { computeDrift } from '../../shared/report/drift.js';
import { sampleReport } from '../report/sample-report.js';

interface Received {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

const WEBHOOK_SECRET = 'whsec-0123456789abcdef';
const DING_SECRET = 'SEC9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const DING_TOKEN = 'access-token-5f4e3d2c1b0a';

let server: Server;
let base: string;
let received: Received[] = [];
let respond: (req: Received, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const r = {
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      respond(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  received = [];
  respond = (_req, res) => res.writeHead(204).end();
});

const MESSAGE: AlertMessage = {
  id: 'run-1:summary',
  kind: 'run-summary',
  severity: 'critical',
  title: 'OSS SSE audit: 1 new problems',
  text: '**1 new problems**',
  data: { runId: 'run-1' },
};

/** No real waiting: records the delays the retry loop asks for. */
function fastOptions(
  extra: DeliveryOptions & { minSeverity?: Severity } = {},
): DeliveryOptions & { minSeverity?: Severity; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms) => void delays.push(ms),
    random: () => 0.5,
    now: () => 1_767_600_000_000,
    ...extra,
  };
}

function dingReply(body: object) {
  return (_req: Received, res: ServerResponse) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

describe('webhook sink', () => {
  it('posts the message as JSON with an X-Signature that verifies against the raw body', async () => {
    // Prepare
    const sink = webhookSink(`${base}/hooks/oss`, WEBHOOK_SECRET);

    // Act
    const record = await deliver(sink, MESSAGE, fastOptions());

    // Assess
    expect(record).toEqual({
      sink: 'webhook',
      target: `${base}/hooks/oss`,
      messageId: MESSAGE.id,
      kind: 'run-summary',
      ok: true,
      attempts: 1,
      status: 204,
    });
    const [req] = received;
    const expected = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(req!.body).digest('hex')}`;
    const got = String(req!.headers['x-signature']);
    expect(got.length).toBe(expected.length);
    expect(timingSafeEqual(Buffer.from(got), Buffer.from(expected))).toBe(true);
    const body = JSON.parse(req!.body);
    expect(body).toMatchObject({
      source: 'oss-sse-guard',
      id: MESSAGE.id,
      severity: 'critical',
      title: MESSAGE.title,
    });
    expect(req!.headers['x-timestamp']).toBe(String(body.sentAt));
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
  });

  it('sends no signature header without a secret', async () => {
    // Prepare
    const sink = webhookSink(`${base}/hooks/plain`);

    // Act
    const record = await deliver(sink, MESSAGE, fastOptions());

    // Assess
    expect(record.ok).toBe(true);
    expect(received[0]?.headers['x-signature']).toBeUndefined();
  });

  it('retries a webhook answering 500 a bounded number of times, then records the failure without throwing', async () => {
    // Prepare
    respond = (_req, res) => res.writeHead(500).end('boom');
    const opts = fastOptions({ maxAttempts: 3, baseMs: 100, capMs: 1000 });

    // Act
    const record = await deliver(webhookSink(`${base}/hooks/oss`, WEBHOOK_SECRET), MESSAGE, opts);

    // Assess
    expect(received).toHaveLength(3);
    expect(record).toMatchObject({
      ok: false,
      attempts: 3,
      status: 500,
      error: `HTTP 500 from ${base}/hooks/oss`,
    });
    expect(opts.delays).toEqual([50, 100]); // full jitter: random (0.5) x min(cap, base x 2^attempt)
  });

  it('succeeds on a later attempt after a transient 503', async () => {
    // Prepare
    respond = (_req, res) => res.writeHead(received.length === 1 ? 503 : 200).end();

    // Act
    const record = await deliver(webhookSink(`${base}/hooks/oss`), MESSAGE, fastOptions());

    // Assess
    expect(record).toMatchObject({ ok: true, attempts: 2, status: 200 });
    expect(record.error).toBeUndefined();
  });

  it('does not retry a 4xx answer', async () => {
    // Prepare
    respond = (_req, res) => res.writeHead(404).end();

    // Act
    const record = await deliver(webhookSink(`${base}/missing`), MESSAGE, fastOptions());

    // Assess
    expect(record).toMatchObject({ ok: false, attempts: 1, status: 404 });
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    // Prepare
    respond = () => {}; // never answers; the server closes the socket at shutdown
    const opts = fastOptions({ maxAttempts: 2, timeoutMs: 50 });

    // Act
    const record = await deliver(webhookSink(`${base}/slow`), MESSAGE, opts);

    // Assess
    expect(record).toMatchObject({ ok: false, attempts: 2, error: 'no response within 50 ms' });
  });
});

describe('DingTalk sink', () => {
  it('posts a markdown message with a timestamp and sign that verify per the DingTalk scheme', async () => {
    // Prepare
    respond = dingReply({ errcode: 0, errmsg: 'ok' });
    const sink = dingtalkSink(`${base}/robot/send?access_token=${DING_TOKEN}`, DING_SECRET);

    // Act
    const record = await deliver(sink, MESSAGE, fastOptions());

    // Assess
    expect(record).toMatchObject({ sink: 'dingtalk', ok: true, attempts: 1, status: 200 });
    const req = received[0]!;
    expect(req.path).toBe('/robot/send');
    expect(req.query.get('access_token')).toBe(DING_TOKEN);
    const timestamp = req.query.get('timestamp')!;
    expect(timestamp).toBe('1767600000000');
    const expected = createHmac('sha256', DING_SECRET)
      .update(`${timestamp}\n${DING_SECRET}`)
      .digest('base64');
    expect(req.query.get('sign')).toBe(expected);
    const body = JSON.parse(req.body);
    expect(body).toEqual({
      msgtype: 'markdown',
      markdown: { title: MESSAGE.title, text: expect.stringContaining(MESSAGE.text) },
    });
  });

  it('records a non-zero errcode as a failure without retrying it', async () => {
    // Prepare
    respond = dingReply({ errcode: 310000, errmsg: 'sign not match' });
    const sink = dingtalkSink(`${base}/robot/send?access_token=${DING_TOKEN}`, 'SECwrong-secret-value');

    // Act
    const record = await deliver(sink, MESSAGE, fastOptions());

    // Assess
    expect(record).toMatchObject({ ok: false, attempts: 1, status: 200 });
    expect(record.error).toBe('DingTalk errcode 310000 "sign not match"; expected errcode 0');
  });
});

describe('secrets', () => {
  it('keeps secrets and the access token out of records and log lines, even for a refused connection', async () => {
    // Prepare
    const lines: string[] = [];
    const logger = createLogger({
      destination: { write: (s: string) => void lines.push(s) },
      level: 'debug',
    });
    respond = (_req, res) => res.writeHead(502).end(`echo ${DING_TOKEN} ${DING_SECRET}`);
    const sinks = [
      dingtalkSink(`${base}/robot/send?access_token=${DING_TOKEN}`, DING_SECRET),
      webhookSink(`http://127.0.0.1:1/hooks?token=${DING_TOKEN}`, WEBHOOK_SECRET),
    ];

    // Act
    const records = await sendAlerts([MESSAGE], sinks, fastOptions({ logger, maxAttempts: 2 }));

    // Assess
    expect(records.map((r) => [r.sink, r.ok, r.attempts])).toEqual([
      ['dingtalk', false, 2],
      ['webhook', false, 2],
    ]);
    expect(records[0]?.target).toBe(`${base}/robot/send?[redacted]`);
    expect(records[1]?.error).toMatch(/^fetch failed/);
    const recorded = JSON.stringify(records) + lines.join('');
    for (const secret of [DING_TOKEN, DING_SECRET, WEBHOOK_SECRET, 'sign=', 'timestamp=']) {
      expect(recorded).not.toContain(secret);
    }
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['alert delivery failed', 'alert delivery failed']);
  });

  it('builds sinks from config and environment, recording a missing secret variable as an unusable sink', () => {
    // Prepare
    const config = {
      webhook: { url: `${base}/hooks`, secretEnv: 'OSS_SSE_GUARD_WEBHOOK_SECRET' },
      dingtalk: { urlEnv: 'OSS_SSE_GUARD_DINGTALK_URL', secretEnv: 'OSS_SSE_GUARD_DINGTALK_SECRET' },
    };
    const env = {
      OSS_SSE_GUARD_DINGTALK_URL: `${base}/robot/send?access_token=${DING_TOKEN}`,
      OSS_SSE_GUARD_DINGTALK_SECRET: DING_SECRET,
    };

    // Act
    const built = buildSinks(config, env);

    // Assess
    expect(built.sinks.map((s) => [s.name, s.target])).toEqual([
      ['dingtalk', `${base}/robot/send?[redacted]`],
    ]);
    expect(built.problems).toEqual([
      expect.objectContaining({
        sink: 'webhook',
        ok: false,
        attempts: 0,
        error: 'environment variable OSS_SSE_GUARD_WEBHOOK_SECRET is not set; expected the webhook secret',
      }),
    ]);
    expect(JSON.stringify(built)).not.toContain(DING_SECRET);
  });
});

describe('alerts across runs', () => {
  function next(prev: Report, runId: string, bucket?: string): Report {
    const findings = prev.findings.map((f) =>
      f.bucket === bucket ? { ...f, status: 'noncompliant' as const } : f,
    );
    return { ...prev, runId, findings, summary: summarize(findings) };
  }

  it('announces each problem once across three runs, and only news after the first', async () => {
    // Prepare
    const run1 = sampleReport({ runId: 'run-1' });
    const run2 = next(run1, 'run-2');
    const run3 = next(run2, 'run-3', 'prod-logs');
    const sinks = [webhookSink(`${base}/hooks`, WEBHOOK_SECRET)];
    const perRun: string[][] = [];

    // Act
    let previous: Report | undefined;
    for (const report of [run1, run2, run3]) {
      received = [];
      await sendAlerts(alertsForRun(computeDrift(previous, report), report), sinks, fastOptions());
      perRun.push(received.map((r) => JSON.parse(r.body).id));
      previous = report;
    }

    // Assess
    expect(perRun[0]).toHaveLength(5);
    expect(perRun[1]).toEqual([]);
    expect(perRun[2]).toEqual(['run-3:summary', 'run-3:cn-hangzhou/prod-logs:noncompliant']);
  });

  it('leaves out messages below the minimum severity', async () => {
    // Prepare
    const info: AlertMessage = { ...MESSAGE, id: 'run-2:summary', severity: 'info' };

    // Act
    const records = await sendAlerts(
      [info, MESSAGE],
      [webhookSink(`${base}/hooks`)],
      fastOptions({ minSeverity: 'warning' }),
    );

    // Assess
    expect(records.map((r) => r.messageId)).toEqual([MESSAGE.id]);
    expect(received).toHaveLength(1);
  });
});

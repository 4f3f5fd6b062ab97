/**
 * The upload guard's alert path: one batched message per invocation, to a real local webhook.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/log.js';
import { objectAlerter, toAlertVerdict } from '../../shared/objects/alerts.js';
import type { ObjectFinding } from '../../shared/objects/types.js';

let server: http.Server | undefined;
afterEach(async () => {
  if (server) await new Promise((r) => server?.close(r));
  server = undefined;
});

const finding = (over: Partial<ObjectFinding>): ObjectFinding => ({
  bucket: 'uploads',
  key: 'in/a.csv',
  region: 'cn-hangzhou',
  size: 12,
  eventName: 'ObjectCreated:PutObject',
  verdict: 'unencrypted',
  observed: null,
  requirement: 'at least sse-oss',
  reason: 'no server-side encryption',
  action: { kind: 'alerted' },
  ...over,
});

describe('upload alerts', () => {
  it('maps guard findings onto the alert vocabulary', () => {
    expect(toAlertVerdict(finding({})).verdict).toBe('noncompliant');
    expect(toAlertVerdict(finding({ verdict: 'wrong-key' })).verdict).toBe('noncompliant');
    expect(toAlertVerdict(finding({ action: { kind: 'encrypted' } })).verdict).toBe('remediated');
    expect(toAlertVerdict(finding({ verdict: 'error', action: { kind: 'none' } })).verdict).toBe('error');
    expect(toAlertVerdict(finding({ verdict: 'encrypted', action: { kind: 'none' } })).verdict).toBe(
      'compliant',
    );
  });

  it('sends one batched message per invocation and logs the delivery without the secret', async () => {
    // Prepare
    const bodies: string[] = [];
    server = http.createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      bodies.push(body);
      res.end('{}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const lines: string[] = [];
    const logger = createLogger({
      destination: new Writable({
        write(chunk: Buffer, _e, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    });
    const alert = objectAlerter(
      { webhook: { url, secretEnv: 'HOOK_SECRET' }, minSeverity: 'warning' },
      { HOOK_SECRET: 'upload-hook-secret' },
      logger,
    );

    // Act
    await alert?.([
      finding({}),
      finding({ key: 'in/b.csv' }),
      finding({ key: 'in/c.csv', action: { kind: 'encrypted' } }),
    ]);

    // Assess
    expect(objectAlerter(undefined, {}, logger)).toBeUndefined();
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toContain('in/a.csv');
    expect(bodies[0]).toContain('in/b.csv');
    expect(lines.some((l) => l.includes('"alert delivered"'))).toBe(true);
    expect(lines.join('')).not.toContain('upload-hook-secret');
  });
});

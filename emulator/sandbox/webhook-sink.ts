/**
 * The sandbox's alert sink: a webhook receiver on loopback that keeps every alert the functions send
 * (the product's webhook sink posts JSON; shared/alerts/webhook.ts) and hands each to `onAlert`, so a
 * person running the sandbox sees them printed. It answers 200 to every POST.
 */

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedAlert {
  at: Date;
  body: Record<string, unknown>;
}

export interface WebhookSink {
  url: string;
  alerts: ReceivedAlert[];
  close(): Promise<void>;
}

export async function startWebhookSink(onAlert?: (a: ReceivedAlert) => void): Promise<WebhookSink> {
  const alerts: ReceivedAlert[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        body = { text: Buffer.concat(chunks).toString('utf8') };
      }
      const alert = { at: new Date(), body };
      alerts.push(alert);
      onAlert?.(alert);
      res.statusCode = 200;
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    alerts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The generic webhook sink: a JSON POST. With a secret, `X-Signature: sha256=<hex HMAC-SHA256 of the raw
 * body>` lets the receiver check the sender; `X-Timestamp` (epoch ms) equals the signed body's `sentAt`,
 * so a receiver can also refuse stale replays.
 */
import { createHmac } from 'node:crypto';
import type { AlertSink } from './deliver.js';
import type { AlertMessage } from './messages.js';
import { redactUrl, scrubber, urlSecrets } from './redact.js';

/** The `X-Signature` value for a raw body: `sha256=` and the hex HMAC-SHA256 keyed with the secret. */
export function webhookSignature(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

/** The JSON body the webhook receives. */
export interface WebhookBody {
  source: 'oss-sse-guard';
  id: string;
  kind: AlertMessage['kind'];
  severity: AlertMessage['severity'];
  title: string;
  text: string;
  data: Record<string, unknown>;
  /** Epoch ms of this attempt, as in `X-Timestamp`. */
  sentAt: number;
}

/** A webhook sink for `url`, signing with `secret` when one is given. */
export function webhookSink(url: string, secret?: string): AlertSink {
  const scrub = scrubber([secret, ...urlSecrets(url)]);
  return {
    name: 'webhook',
    target: redactUrl(url),
    request(message, nowMs) {
      const payload: WebhookBody = {
        source: 'oss-sse-guard',
        id: message.id,
        kind: message.kind,
        severity: message.severity,
        title: message.title,
        text: message.text,
        data: message.data,
        sentAt: nowMs,
      };
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'oss-sse-guard',
        'x-timestamp': String(nowMs),
      };
      if (secret) headers['x-signature'] = webhookSignature(secret, body);
      return { url, headers, body };
    },
    scrub,
  };
}

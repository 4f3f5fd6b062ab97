/**
 * The DingTalk custom robot sink: `POST <robot URL>` with `{"msgtype":"markdown","markdown":{title,text}}`.
 * With a signing secret (the robot's "加签" `SEC...` string), DingTalk's documented scheme: sign =
 * urlEncode(base64(HMAC-SHA256(key = secret, data = timestamp + "\n" + secret))), timestamp in epoch ms,
 * appended as `&timestamp=<ms>&sign=<sign>` (open.dingtalk.com/document/group/custom-robot-access).
 * DingTalk answers HTTP 200 with `{"errcode":0,"errmsg":"ok"}`; any other `errcode` is a failure
 * (e.g. 310000 "sign not match").
 */
import { createHmac } from 'node:crypto';
import type { AlertSink } from './deliver.js';
import { mdEscape } from './messages.js';
import { redactUrl, scrubber, urlSecrets } from './redact.js';

/** The `sign` query value for a timestamp (epoch ms), already URL-encoded. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
  return encodeURIComponent(digest);
}

/** The robot URL of one attempt: the configured URL plus `timestamp` and `sign` when a secret is set. */
export function dingtalkUrl(url: string, secret: string | undefined, timestampMs: number): string {
  if (!secret) return url;
  const sep = url.includes('?') ? '&' : '?';
  return `${url}${sep}timestamp=${timestampMs}&sign=${dingtalkSign(secret, timestampMs)}`;
}

/** Reads DingTalk's answer: undefined for `errcode` 0, else why it failed. */
export function dingtalkCheck(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'DingTalk answered with a body that is not JSON; expected {"errcode":0}';
  }
  const { errcode, errmsg } = (parsed ?? {}) as { errcode?: unknown; errmsg?: unknown };
  if (errcode === 0) return undefined;
  const msg = typeof errmsg === 'string' ? errmsg.slice(0, 200) : '';
  return `DingTalk errcode ${String(errcode)} ${JSON.stringify(msg)}; expected errcode 0`;
}

/** A DingTalk robot sink for the robot `url` (it holds the `access_token`), signing with `secret` when given. */
export function dingtalkSink(url: string, secret?: string): AlertSink {
  const scrub = scrubber([secret, ...urlSecrets(url)]);
  return {
    name: 'dingtalk',
    target: redactUrl(url),
    request(message, nowMs) {
      const body = JSON.stringify({
        msgtype: 'markdown',
        markdown: { title: message.title, text: `### ${mdEscape(message.title)}\n\n${message.text}` },
      });
      return {
        url: dingtalkUrl(url, secret, nowMs),
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'oss-sse-guard' },
        body,
      };
    },
    check: dingtalkCheck,
    scrub,
  };
}

import { describe, expect, it } from 'vitest';
import { REDACTED, redactUrl, scrubber, urlSecrets } from '../../shared/alerts/redact.js';

describe('redactUrl', () => {
  it('drops the query string of a DingTalk robot URL', () => {
    // Prepare
    const url = 'https://oapi.dingtalk.com/robot/send?access_token=abcdef123456';

    // Act
    const safe = redactUrl(url);

    // Assess
    expect(safe).toBe(`https://oapi.dingtalk.com/robot/send?${REDACTED}`);
  });

  it('masks token-like path segments and credentials but keeps ordinary paths', () => {
    // Prepare
    const urls = [
      'https://user:pw@hooks.example.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX',
      'http://127.0.0.1:8080/hooks/oss-sse-guard',
      'not a url with secret',
    ];

    // Act
    const safe = urls.map(redactUrl);

    // Assess
    expect(safe).toEqual([
      `https://hooks.example.com/services/T000/B000/${REDACTED}`,
      'http://127.0.0.1:8080/hooks/oss-sse-guard',
      REDACTED,
    ]);
  });
});

describe('scrubber', () => {
  it('replaces secrets, URL-encoded forms and secret URL parts wherever they occur', () => {
    // Prepare
    const url = 'https://oapi.dingtalk.com/robot/send?access_token=tok123456';
    const scrub = scrubber(['s3cr/t+value', ...urlSecrets(url)]);

    // Act
    const text = scrub(`failed ${url} token=tok123456 sign of s3cr%2Ft%2Bvalue and s3cr/t+value`);

    // Assess
    expect(text).toBe(`failed ${REDACTED} token=${REDACTED} sign of ${REDACTED} and ${REDACTED}`);
    expect(urlSecrets('http://127.0.0.1/hooks')).toEqual([]);
  });
});

/**
 * Hostile upload-guard events, built from the documented shapes (the Function Compute OSS trigger sample
 * through `ossRecord`, the EventBridge OSS object event through `objectCreated`), each with one hostile
 * twist and what the guard must conclude. Together with test/fixtures/events/malformed.json (48 malformed
 * variants) this is the event corpus of hostile-events.test.ts: every entry gets a clear skip reason or a
 * correct verdict, never a retry, and never changes an object it must not.
 */
import { objectCreated } from '../fixtures/eventbridge/builders.js';
import { ossRecord } from '../fixtures/events/builders.js';

export const CORPUS_BUCKET = 'hostile-events';
export const ACCOUNT = '1234567890123456';
/** An object that exists in the bucket, unencrypted, and must never be touched by the corpus. */
export const BYSTANDER = 'tmp/secret.txt';

export interface HostileEvent {
  name: string;
  payload: unknown;
  /** `skip`: the record is skipped with a reason matching `reason`; `missing`: checked, nothing found. */
  expect: { kind: 'skip'; reason: RegExp } | { kind: 'missing' };
}

const rec = (key: string, extra: Record<string, unknown> = {}) => ({
  ...ossRecord({ bucket: CORPUS_BUCKET, key }),
  ...extra,
});
const ev = (...records: unknown[]) => ({ events: records });
const withBucket = (fields: Record<string, unknown>, key = 'inbox/a.txt') => {
  const r = ossRecord({ bucket: CORPUS_BUCKET, key }) as { oss: { bucket: Record<string, unknown> } };
  return ev({ ...r, oss: { ...r.oss, bucket: { ...r.oss.bucket, ...fields } } });
};
const bridged = (type: string, key = 'inbox/a.txt', patch: Record<string, unknown> = {}) => ({
  ...(objectCreated({ bucket: CORPUS_BUCKET, key, accountId: ACCOUNT }) as Record<string, unknown>),
  type,
  ...patch,
});

const invalidKey = /oss\.object\.key (starts with|is empty|is not valid Unicode|is \d+ bytes)/;
const outOfScope = /out of scope|objects\.exclude|objects\.include|outside the policy/;

/** Keys no OSS object can have: a bad event, not a retryable failure. */
const BAD_KEYS: Array<[string, string]> = [
  ['a lone slash', '/'],
  ['two slashes', '//'],
  ['a leading slash', '/etc/passwd'],
  ['a leading backslash', '\\windows\\path'],
  ['a lone surrogate', 'a\ud800b'],
  ['a trailing lone surrogate', 'abc\udbff'],
  ['a lone low surrogate', '\udc00x'],
  ['1,024 bytes', 'k'.repeat(1024)],
  ['512 two-byte characters plus one', 'é'.repeat(512)],
  ['a leading slash then dots', '/../x'],
];

/** Keys that decode (once) into an excluded or invalid key: scope is checked on the key acted on. */
const ENCODED_ESCAPES: Array<[string, string, HostileEvent['expect']]> = [
  ['%2F into an excluded key', 'tmp%2Fsecret.txt', { kind: 'skip', reason: outOfScope }],
  ['lowercase %2f into an excluded key', 'tmp%2fsecret.txt', { kind: 'skip', reason: outOfScope }],
  ['a plain %2F', '%2F', { kind: 'missing' }],
  ['%2F%2F', '%2F%2F', { kind: 'missing' }],
  ['%5C (a leading backslash when decoded)', '%5Cx', { kind: 'missing' }],
  ['a double-encoded slash', 'tmp%252Fsecret.txt', { kind: 'missing' }],
  ['a form-encoded space', 'inbox/a+b.txt', { kind: 'missing' }],
  ['a lone percent', 'inbox/100%.txt', { kind: 'missing' }],
  ['a bad escape', 'inbox/%zz', { kind: 'missing' }],
  ['an encoded null', 'inbox/%00', { kind: 'missing' }],
];

const BAD_ENVELOPES: Array<[string, unknown, RegExp]> = [
  [
    'ObjectRemoved carrying a creation record',
    bridged('oss:ObjectRemoved:DeleteObject'),
    /not an object creation/,
  ],
  [
    'ObjectDownloaded carrying a creation record',
    bridged('oss:ObjectDownloaded:GetObject'),
    /not an object creation/,
  ],
  ['an ActionTrail type', bridged('oss:ActionTrail:ApiCall'), /not an object creation/],
  ['a bucket type', bridged('oss:BucketCreated:PutBucket'), /not an object creation/],
  ['a type without the oss prefix', bridged('ObjectCreated:PutObject'), /not an object creation/],
  ['a type with a trailing colon', bridged('oss:ObjectCreated:'), /not an object creation/],
  ['a type with a newline', bridged('oss:ObjectCreated:PutObject\n'), /not an object creation/],
  ['a type that disagrees with the record', bridged('oss:ObjectCreated:CopyObject'), /disagree/],
  ['a multipart step type', bridged('oss:ObjectCreated:UploadPart', 'inbox/a.txt'), /disagree|multipart/],
  [
    'another source',
    bridged('oss:ObjectCreated:PutObject', 'inbox/a.txt', { source: 'acs.ecs' }),
    /not acs\.oss/,
  ],
  [
    'a foreign origin account',
    bridged('oss:ObjectCreated:PutObject', 'inbox/a.txt', { aliyunoriginalaccountid: '999' }),
    /account 999/,
  ],
  [
    'a foreign bus account',
    bridged('oss:ObjectCreated:PutObject', 'inbox/a.txt', { aliyunaccountid: '42' }),
    /account 42/,
  ],
  ['a missing type', bridged(undefined as unknown as string), /type is missing/],
  ['a numeric type', bridged(7 as unknown as string), /type must be a string/],
  [
    'a batch mixing a removal with a creation',
    [bridged('oss:ObjectRemoved:DeleteObject'), bridged('oss:ObjectRemoved:DeleteObjects')],
    /not an object creation/,
  ],
];

const FOREIGN: Array<[string, unknown, RegExp]> = [
  ['another owner', withBucket({ ownerIdentity: '999999' }), /account 999999/],
  [
    'another account in the ARN',
    withBucket({ arn: `acs:oss:cn-hangzhou:777:${CORPUS_BUCKET}` }),
    /account 777/,
  ],
  [
    'both foreign',
    withBucket({ ownerIdentity: '5', arn: `acs:oss:cn-hangzhou:5:${CORPUS_BUCKET}` }),
    /account 5/,
  ],
];

const HOSTILE_NAMES: Array<[string, unknown, RegExp]> = [
  [
    'an ObjectRemoved eventName',
    ev(rec('inbox/a.txt', { eventName: 'ObjectRemoved:DeleteObject' })),
    /not an object creation/,
  ],
  [
    'a prototype-member eventName',
    ev(rec('inbox/a.txt', { eventName: 'constructor' })),
    /not a known OSS event/,
  ],
  [
    'an eventName with __proto__',
    ev(rec('inbox/a.txt', { eventName: 'ObjectCreated:__proto__' })),
    /not a known OSS event/,
  ],
  [
    'an eventName with a newline',
    ev(rec('inbox/a.txt', { eventName: 'ObjectCreated:PutObject\nObjectCreated:PutObject' })),
    /not a known OSS event/,
  ],
  [
    'an eventName with an escape sequence',
    ev(rec('inbox/a.txt', { eventName: '\u001b[2JObjectCreated:PutObject' })),
    /not a known OSS event/,
  ],
  ['an eventSource of another service', ev(rec('inbox/a.txt', { eventSource: 'acs:ecs' })), /eventSource/],
  ['a region with a path', ev(rec('inbox/a.txt', { region: 'cn-hangzhou/../x' })), /region/],
  ['a region with a newline', ev(rec('inbox/a.txt', { region: 'cn-hangzhou\n' })), /region/],
  [
    'a bucket name with a slash',
    ev({ ...rec('x'), oss: { bucket: { name: 'a/b' }, object: { key: 'x' } } }),
    /not a valid bucket name/,
  ],
  [
    'a bucket name with ..',
    ev({ ...rec('x'), oss: { bucket: { name: '..' }, object: { key: 'x' } } }),
    /not a valid bucket name/,
  ],
  [
    'a bucket name in upper case',
    ev({ ...rec('x'), oss: { bucket: { name: 'HOSTILE' }, object: { key: 'x' } } }),
    /not a valid bucket name/,
  ],
  [
    'a bucket outside the policy',
    ev({ ...rec('x'), oss: { bucket: { name: 'other-bucket' }, object: { key: 'x' } } }),
    /outside the policy/,
  ],
  [
    'a key as an object',
    ev({ ...rec('x'), oss: { bucket: { name: CORPUS_BUCKET }, object: { key: { toString: 'x' } } } }),
    /must be a string/,
  ],
  [
    'a key as a list',
    ev({ ...rec('x'), oss: { bucket: { name: CORPUS_BUCKET }, object: { key: ['tmp/secret.txt'] } } }),
    /must be a string/,
  ],
  [
    'a negative size',
    ev({ ...rec('x'), oss: { bucket: { name: CORPUS_BUCKET }, object: { key: 'x', size: -1 } } }),
    /size/,
  ],
  [
    'a size of 2^60',
    ev({ ...rec('x'), oss: { bucket: { name: CORPUS_BUCKET }, object: { key: 'x', size: 2 ** 60 } } }),
    /size/,
  ],
  ['an excluded key', ev(rec('tmp/secret.txt')), outOfScope],
  ['an excluded key under a prefix of dots', ev(rec('tmp/../tmp/secret.txt')), outOfScope],
  ['an excluded deep key', ev(rec('tmp/a/b/c/d')), outOfScope],
  ['101 records', ev(...Array.from({ length: 101 }, () => rec('inbox/a.txt'))), /at most 100/],
];

/** Keys a hostile uploader might choose; in scope for `**` and checked (none exists: `missing`). */
const ODD_KEYS = [
  '..',
  '.',
  './x',
  'a/../b',
  'a/./b',
  'x\ny',
  'x\u2028y',
  'x\u2029y',
  '\u001b[2J\u001b[HALL COMPLIANT',
  '*.*.*.*.*.tmp',
  `${'.'.repeat(300)}tmp`,
  `${'a.'.repeat(511)}x`,
  '\u202eexe.txt',
  'a//b',
  'a\\b',
  '[weird]{name}(1)',
  '**',
  'tmpx/secret.txt',
  ' tmp/secret.txt',
];

/** Every hostile event; with malformed.json's 48 the corpus passes 100. */
export const HOSTILE_EVENTS: HostileEvent[] = [
  ...BAD_KEYS.map(([name, key]) => ({
    name: `key with ${name}`,
    payload: ev(rec(key)),
    expect: {
      kind: 'skip' as const,
      reason: name === '1,024 bytes' || name.startsWith('512') ? /bytes/ : invalidKey,
    },
  })),
  ...ENCODED_ESCAPES.map(([name, key, expect]) => ({
    name: `encoded key: ${name}`,
    payload: ev(rec(key)),
    expect,
  })),
  ...BAD_ENVELOPES.map(([name, payload, reason]) => ({
    name: `EventBridge: ${name}`,
    payload,
    expect: { kind: 'skip' as const, reason },
  })),
  ...FOREIGN.map(([name, payload, reason]) => ({
    name: `foreign account: ${name}`,
    payload,
    expect: { kind: 'skip' as const, reason },
  })),
  ...HOSTILE_NAMES.map(([name, payload, reason]) => ({
    name: `record: ${name}`,
    payload,
    expect: { kind: 'skip' as const, reason },
  })),
  ...ODD_KEYS.map((key) => ({
    name: `odd key ${JSON.stringify(key.slice(0, 30))}`,
    payload: ev(rec(key)),
    expect: { kind: 'missing' as const },
  })),
];

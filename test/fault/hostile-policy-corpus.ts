/**
 * Hostile policies (issue 14), added to the malformed ones of policy-corpus.ts: prototype keys, globs the
 * matcher refuses, YAML tags, impossible dates, keys that try to forge problem lines, and values that try
 * to widen a rule. Each must be refused with a problem line naming its path. Used by bad-policies.test.ts.
 */
import type { BadPolicy } from './policy-corpus.js';

const rule = (body: string) => `version: 1\nrules:\n  - ${body}\n`;
const objects = (body: string) => `version: 1\nobjects:\n  ${body}\n`;

const RESERVED = /is a reserved name and cannot be used as a key$/;
const TAG = /Unresolved tag: tag:yaml\.org,2002:js\/function|explicit YAML tag .* is not allowed/;
const DATE = /^rules\[0\]\.exempt\.until: must be a date YYYY-MM-DD or an ISO 8601 time \(a real day\)/;
const GLOB = /is not a valid glob/;

const IMPOSSIBLE_DATES = [
  '2027-02-31',
  '2027-02-29',
  '2100-02-29',
  '2027-04-31',
  '2027-13-01',
  '2027-00-10',
  '2027-01-00',
  '2027-01-32',
  '2027-06-31T00:00:00Z',
  '2027-01-01T24:00:00Z',
  '2027-01-01T23:60:00Z',
  '2027-01-01T23:59:60Z',
  '2027-01-01T10:00:00+25:00',
  '2027-01-01T10:00:00+05:61',
  '27-01-01',
  '2027-1-1',
];

const BAD_GLOBS: Array<[string, string]> = [
  ['an extglob @(..)', '@(a|b)'],
  ['an extglob !(..)', 'logs/!(keep)'],
  ['an extglob +(..)', '+(x)'],
  ['an extglob *(..)', 'a*(b)'],
  ['an extglob ?(..)', 'a?(b)'],
  ['a leading negation', '!tmp/**'],
  ['a POSIX class', '[[:alpha:]]*'],
  ['a brace range', 'log-{1..9}'],
  ['an unclosed brace', '{a,b'],
  ['a stray closing brace', 'a}b'],
  ['an unclosed bracket', 'prod-[abc'],
  ['a stray closing bracket', 'a]b'],
  ['a backwards range', '[z-a]'],
  ['a trailing backslash', 'abc\\\\'],
  ['braces nested 11 deep', `${'{a,'.repeat(11)}b${'}'.repeat(11)}`],
];

const YAML_TAGS: Array<[string, string]> = [
  ['!!js/function', 'version: 1\ndescription: !!js/function "function () { return 1 }"\n'],
  ['!!js/undefined', 'version: 1\ndescription: !!js/undefined ""\n'],
  ['!!js/regexp', rule('{ id: a, buckets: [!!js/regexp "/.*/"] }')],
  ['a local tag', 'version: 1\ndescription: !foo bar\n'],
  ['!!binary', 'version: 1\ndescription: !!binary aGVsbG8=\n'],
  ['!!str on a number', 'version: !!str 1\n'],
  ['!!int on a string', 'version: !!int "1"\n'],
  ['!!map on a rule', 'version: 1\nrules:\n  - !!map { id: a }\n'],
  ['!!set', 'version: 1\nrules: !!set { a }\n'],
  ['!!timestamp', rule('{ id: a, exempt: { reason: r, until: !!timestamp 2027-03-31 } }')],
];

export const HOSTILE_POLICIES: BadPolicy[] = [
  {
    name: 'tag selector __proto__',
    text: rule('{ id: q, tags: { __proto__: quarantine }, sse: { algorithm: KMS } }'),
    expect: [/^rules\[0\]\.tags\.__proto__: is a reserved name/],
  },
  {
    name: 'tag selector __proto__ as JSON',
    text: '{"version":1,"rules":[{"id":"q","tags":{"__proto__":"quarantine"},"sse":{"algorithm":"KMS"}}]}',
    expect: [/^rules\[0\]\.tags\.__proto__: is a reserved name/],
  },
  {
    name: '__proto__ in the objects section',
    text: objects('__proto__: { action: encrypt }'),
    expect: [/^objects\.__proto__: /],
  },
  {
    name: '__proto__ in limits',
    text: 'version: 1\nlimits: { __proto__: { maxRemediationsPerRun: 9 } }\n',
    expect: [RESERVED],
  },
  {
    name: '__proto__ in a requirement',
    text: 'version: 1\ndefaults: { sse: { __proto__: { algorithm: KMS } } }\n',
    expect: [RESERVED],
  },
  { name: 'quoted "__proto__" key', text: rule('{ id: q, tags: { "__proto__": x } }'), expect: [RESERVED] },
  {
    name: 'empty tag selector',
    text: rule('{ id: q, tags: {} , sse: { algorithm: KMS } }'),
    expect: [/^rules\[0\]\.tags: must list at least one tag/],
  },
  {
    name: 'tag key over 128 characters',
    text: rule(`{ id: q, tags: { ${'k'.repeat(129)}: v } }`),
    expect: [/longer than 128 characters/],
  },
  {
    name: 'tag value a number',
    text: rule('{ id: q, tags: { env: 1 } }'),
    expect: [/^rules\[0\]\.tags\.env: /],
  },
  {
    name: 'tag value null',
    text: rule('{ id: q, tags: { env: null } }'),
    expect: [/^rules\[0\]\.tags\.env: /],
  },
  {
    name: 'a key with a newline forging a problem line',
    text: 'version: 1\nrules:\n  - id: a\n    tags: { "x\\nrules[0].sse: ok": v, "": w }\n',
    expect: [/^rules\[0\]\.tags\[""\]: must not be empty$/],
  },
  {
    name: 'an unknown key holding an escape sequence',
    text: 'version: 1\n"\\e[2Jall good": 1\n',
    expect: [/^\["\\u001b\[2Jall good"\]: unknown key$/],
  },
  {
    name: 'an unknown key holding U+2028',
    text: 'version: 1\n"a\\u2028b": 1\n',
    expect: [/^\["a\\u2028b"\]: unknown key$/],
  },
  {
    name: 'a complex (list) key',
    text: 'version: 1\n? [a, b]\n: 1\n',
    expect: [/a key must be a plain string/],
  },
  { name: 'a mapping key', text: 'version: 1\n? { a: 1 }\n: 1\n', expect: [/a key must be a plain string/] },
  ...IMPOSSIBLE_DATES.map((d) => ({
    name: `exemption until ${d}`,
    text: rule(`{ id: a, exempt: { reason: r, until: "${d}" } }`),
    expect: [DATE],
  })),
  {
    name: 'exemption until an unquoted impossible date',
    text: rule('{ id: a, exempt: { reason: r, until: 2027-02-31 } }'),
    expect: [DATE],
  },
  ...BAD_GLOBS.map(([name, g]) => ({
    name: `bucket glob with ${name}`,
    text: rule(`{ id: a, buckets: ["${g}"] }`),
    expect: [GLOB],
  })),
  {
    name: 'exclude glob with an extglob',
    text: objects('exclude: ["tmp/@(a|b)"]'),
    expect: [/^objects\.exclude\[0\]: is not a valid glob/],
  },
  {
    name: 'include glob with a negation',
    text: objects('include: ["!secret/**"]'),
    expect: [/^objects\.include\[0\]: is not a valid glob/],
  },
  {
    name: 'glob over 1024 characters',
    text: objects(`exclude: ["${'*.'.repeat(513)}"]`),
    expect: [/longer than 1024 characters/],
  },
  ...YAML_TAGS.map(([name, text]) => ({ name: `YAML tag ${name}`, text, expect: [/./] })),
  { name: 'YAML tag !!js/function as the only problem', text: YAML_TAGS[0]?.[1] ?? '', expect: [TAG] },
  { name: 'a YAML merge key', text: 'version: 1\nbase: &b { id: a }\nrules: [{ <<: *b }]\n', expect: [/./] },
  { name: 'a document stream', text: 'version: 1\n---\nversion: 1\nrules: []\n', expect: [/./] },
  {
    name: 'maxRemediationsPerRun negative',
    text: 'version: 1\nlimits: { maxRemediationsPerRun: -1 }\n',
    expect: [/^limits\.maxRemediationsPerRun: /],
  },
  {
    name: 'maxRemediationsPerRun a float',
    text: 'version: 1\nlimits: { maxRemediationsPerRun: 1.5 }\n',
    expect: [/^limits\.maxRemediationsPerRun: must be a whole number/],
  },
  {
    name: 'maxRemediationsPerRun infinite',
    text: 'version: 1\nlimits: { maxRemediationsPerRun: .inf }\n',
    expect: [/^limits\.maxRemediationsPerRun: /],
  },
  {
    name: 'concurrency NaN',
    text: 'version: 1\nlimits: { concurrency: .nan }\n',
    expect: [/^limits\.concurrency: /],
  },
  {
    name: 'remediate as the string "yes"',
    text: 'version: 1\ndefaults: { remediate: "yes" }\n',
    expect: [/^defaults\.remediate: must be true or false/],
  },
  {
    name: 'objects.action upper case',
    text: objects('action: ENCRYPT'),
    expect: [/^objects\.action: must be alert, encrypt or ignore/],
  },
  {
    name: 'region with a path',
    text: rule('{ id: a, regions: ["cn-hangzhou/../x"] }'),
    expect: [/^rules\[0\]\.regions\[0\]: /],
  },
  {
    name: 'a kmsKeyId with a newline',
    text: 'version: 1\ndefaults: { sse: { algorithm: KMS, kmsKeyId: "k1\\nk2" } }\n',
    expect: [/^defaults\.sse\.kmsKeyId: /],
  },
  {
    name: 'a rule id with an escape sequence',
    text: rule('{ id: "a\\e[31m" }'),
    expect: [/^rules\[0\]\.id: /],
  },
  {
    name: 'a BOM-less UTF-16 policy',
    text: '\u0000v\u0000e\u0000r\u0000s\u0000i\u0000o\u0000n\u0000:\u0000 \u00001',
    expect: [/./],
  },
];

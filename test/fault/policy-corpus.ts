/**
 * Malformed and hostile policies, each with what its error must say: every problem line names the path it
 * is about (or the line and column for YAML syntax). Used by bad-policies.test.ts.
 */

export interface BadPolicy {
  name: string;
  text: string;
  /** Each must match one line of `PolicyError.problems`. */
  expect: RegExp[];
}

/** 2^20 expansions of a short string when aliases are resolved: a classic "billion laughs". */
function aliasBomb(): string {
  const lines = ['version: 1', 'description: &a0 "lol"'];
  for (let i = 1; i <= 20; i += 1) lines.push(`x${i}: &a${i} [*a${i - 1}, *a${i - 1}]`);
  return lines.join('\n');
}

/** A policy of valid rules padded past the 1 MiB limit. */
function hugePolicy(): string {
  const rule = (i: number) => `  - { id: rule-${i}, buckets: ["b-${i}-*"], sse: { algorithm: AES256 } }`;
  const rules = Array.from({ length: 20_000 }, (_, i) => rule(i));
  return `version: 1\n# ${'x'.repeat(200_000)}\nrules:\n${rules.join('\n')}\n`;
}

const rule = (body: string) => `version: 1\nrules:\n  - ${body}\n`;

export const BAD_POLICIES: BadPolicy[] = [
  { name: 'unknown top-level key', text: 'version: 1\nrulez: []\n', expect: [/^rulez: unknown key$/] },
  {
    name: 'unknown rule key',
    text: rule('{ id: a, bucket: ["x"] }'),
    expect: [/^rules\[0\]\.bucket: unknown key$/],
  },
  {
    name: 'unknown requirement key',
    text: 'version: 1\ndefaults: { sse: { algorithm: KMS, keyId: k1 } }\n',
    expect: [/^defaults\.sse\.keyId: unknown key$/],
  },
  { name: 'missing version', text: 'rules: []\n', expect: [/^version: /] },
  { name: 'version 2', text: 'version: 2\n', expect: [/^version: must be 1$/] },
  { name: 'version as a string', text: 'version: "1"\n', expect: [/^version: must be 1$/] },
  { name: 'rules not a list', text: 'version: 1\nrules: { id: a }\n', expect: [/^rules: /] },
  { name: 'rule id missing', text: rule('{ buckets: ["x"] }'), expect: [/^rules\[0\]\.id: is required$/] },
  { name: 'rule id a number', text: rule('{ id: 42 }'), expect: [/^rules\[0\]\.id: /] },
  {
    name: 'rule id with spaces',
    text: rule('{ id: "two words" }'),
    expect: [/^rules\[0\]\.id: must be 1-64 letters/],
  },
  {
    name: 'duplicate rule ids',
    text: 'version: 1\nrules:\n  - { id: same, buckets: ["a-*"] }\n  - { id: same, buckets: ["b-*"] }\n',
    expect: [/^rules\[1\]\.id: duplicates the id of rules\[0\]$/],
  },
  {
    name: 'buckets a string',
    text: rule('{ id: a, buckets: "prod-*" }'),
    expect: [/^rules\[0\]\.buckets: /],
  },
  {
    name: 'empty bucket list',
    text: rule('{ id: a, buckets: [] }'),
    expect: [/^rules\[0\]\.buckets: must list at least one glob$/],
  },
  {
    name: 'bad glob (unclosed bracket)',
    text: rule('{ id: a, buckets: ["prod-[abc"] }'),
    expect: [/^rules\[0\]\.buckets\[0\]: is not a valid glob/],
  },
  {
    name: 'empty glob',
    text: rule('{ id: a, buckets: [""] }'),
    expect: [/^rules\[0\]\.buckets\[0\]: must not be empty$/],
  },
  {
    name: 'glob too long',
    text: rule(`{ id: a, buckets: ["${'a'.repeat(1100)}"] }`),
    expect: [/^rules\[0\]\.buckets\[0\]: is longer than 1024 characters$/],
  },
  {
    name: 'bad region',
    text: rule('{ id: a, regions: ["CN Hangzhou"] }'),
    expect: [/^rules\[0\]\.regions\[0\]: must be a region id/],
  },
  {
    name: 'unknown algorithm',
    text: rule('{ id: a, sse: { algorithm: AES128 } }'),
    expect: [/^rules\[0\]\.sse\.algorithm: must be one of AES256, KMS, SM4$/],
  },
  {
    name: 'unknown minimum',
    text: rule('{ id: a, sse: { minimum: strong } }'),
    expect: [/^rules\[0\]\.sse\.minimum: must be one of sse-oss, kms, kms-cmk$/],
  },
  {
    name: 'requirement without algorithm or minimum',
    text: rule('{ id: a, sse: {} }'),
    expect: [/^rules\[0\]\.sse: needs either algorithm or minimum$/],
  },
  {
    name: 'algorithm and minimum together',
    text: rule('{ id: a, sse: { algorithm: KMS, minimum: kms } }'),
    expect: [/^rules\[0\]\.sse\.minimum: cannot be given together with algorithm$/],
  },
  {
    name: 'KMS key id with AES256',
    text: rule('{ id: a, sse: { algorithm: AES256, kmsKeyId: alias/prod } }'),
    expect: [/^rules\[0\]\.sse\.kmsKeyId: needs algorithm KMS/],
  },
  {
    name: 'KMS key id with SM4',
    text: 'version: 1\ndefaults: { sse: { algorithm: SM4, kmsKeyId: k-1 } }\n',
    expect: [/^defaults\.sse\.kmsKeyId: needs algorithm KMS/],
  },
  {
    name: 'SM4 data encryption with AES256',
    text: rule('{ id: a, sse: { algorithm: AES256, kmsDataEncryption: SM4 } }'),
    expect: [/^rules\[0\]\.sse\.kmsDataEncryption: needs algorithm KMS/],
  },
  {
    name: 'data encryption other than SM4',
    text: rule('{ id: a, sse: { algorithm: KMS, kmsDataEncryption: AES } }'),
    expect: [/^rules\[0\]\.sse\.kmsDataEncryption: must be SM4$/],
  },
  {
    name: 'malformed KMS key id',
    text: rule('{ id: a, sse: { algorithm: KMS, kmsKeyId: "key with spaces" } }'),
    expect: [/^rules\[0\]\.sse\.kmsKeyId: must be a KMS key id/],
  },
  {
    name: 'kms-cmk remediation without a key',
    text: 'version: 1\ndefaults: { sse: { minimum: kms-cmk }, remediate: true }\n',
    expect: [/^defaults\.sse\.kmsKeyId: minimum kms-cmk with remediate: true needs kmsKeyId/],
  },
  {
    name: 'match misspelt',
    text: rule('{ id: a, match: exactly }'),
    expect: [/^rules\[0\]\.match: must be at-least or exact$/],
  },
  {
    name: 'remediate as a string',
    text: rule('{ id: a, remediate: "yes" }'),
    expect: [/^rules\[0\]\.remediate: must be true or false$/],
  },
  {
    name: 'exemption without a reason',
    text: rule('{ id: a, exempt: { until: 2027-01-01 } }'),
    expect: [/^rules\[0\]\.exempt\.reason: is required$/],
  },
  {
    name: 'exemption with a bad date',
    text: rule('{ id: a, exempt: { reason: r, until: "next March" } }'),
    expect: [/^rules\[0\]\.exempt\.until: must be a date YYYY-MM-DD/],
  },
  { name: 'tags not a mapping', text: rule('{ id: a, tags: [env, prod] }'), expect: [/^rules\[0\]\.tags: /] },
  {
    name: 'negative concurrency',
    text: 'version: 1\nlimits: { concurrency: -4 }\n',
    expect: [/^limits\.concurrency: /],
  },
  {
    name: 'fractional remediation cap',
    text: 'version: 1\nlimits: { maxRemediationsPerRun: 2.5 }\n',
    expect: [/^limits\.maxRemediationsPerRun: must be a whole number$/],
  },
  {
    name: 'object action unknown',
    text: 'version: 1\nobjects: { action: delete }\n',
    expect: [/^objects\.action: must be alert, encrypt or ignore$/],
  },
  {
    name: 'secret written in the policy',
    text: 'version: 1\nalerts: { webhook: { url: "https://hooks.example.com/x", secret: s3cr3t } }\n',
    expect: [/^alerts\.webhook\.secret: is not allowed in the policy/],
  },
  { name: 'YAML alias bomb', text: aliasBomb(), expect: [/^\(top level\): .*alias/i] },
  {
    name: 'duplicate YAML keys',
    text: 'version: 1\nversion: 1\n',
    expect: [/^line 2, column 1: .*[Mm]ap keys must be unique/],
  },
  { name: 'YAML syntax error', text: 'version: 1\nrules: [ { id: a\n', expect: [/^line \d+, column \d+: /] },
  {
    name: 'a list, not a mapping',
    text: '- version: 1\n',
    expect: [/^\(top level\): must be a mapping with version: 1, got a list$/],
  },
  { name: 'empty file', text: '', expect: [/^\(top level\): must be a mapping with version: 1, got empty$/] },
  { name: 'JSON cut short', text: '{"version": 1, "rules": [', expect: [/^line \d+, column \d+: /] },
  {
    name: 'JSON with a wrong type',
    text: '{"version": 1, "limits": {"concurrency": "many"}}',
    expect: [/^limits\.concurrency: /],
  },
  {
    name: 'file over 1 MiB',
    text: hugePolicy(),
    expect: [/^\(top level\): file is \d+ bytes; the limit is 1048576$/],
  },
  {
    name: 'prototype pollution key',
    text: 'version: 1\n__proto__: { polluted: true }\n',
    expect: [/^__proto__: is a reserved name and cannot be used as a key$/],
  },
];

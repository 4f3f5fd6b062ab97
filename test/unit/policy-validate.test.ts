import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../shared/errors.js';
import { loadPolicy, policyFromText } from '../../shared/policy/load.js';

function problemsOf(text: string): string[] {
  try {
    policyFromText(text, 'test.yaml');
  } catch (err) {
    if (err instanceof PolicyError) return err.problems;
    throw err;
  }
  throw new Error('expected the policy to be refused');
}

describe('policy validation', () => {
  it('accepts the empty policy and fills in report-only defaults', () => {
    // Act
    const { policy, sha256 } = policyFromText('version: 1\n', 'test.yaml');

    // Assess
    expect(policy.defaults).toEqual({ sse: { minimum: 'sse-oss' }, match: 'at-least', remediate: false });
    expect(policy.rules).toEqual([]);
    expect(policy.limits).toEqual({ maxRemediationsPerRun: 50, concurrency: 32 });
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts the DESIGN.md example policy', () => {
    // Prepare
    const text = `version: 1
defaults:
  sse: { algorithm: KMS }
  match: at-least
  remediate: true
rules:
  - id: prod-cmk
    buckets: ["prod-*"]
    regions: [cn-hangzhou]
    tags: { env: prod }
    sse: { algorithm: KMS, kmsKeyId: "alias/prod-oss" }
  - id: legacy-archive
    buckets: ["legacy-*"]
    exempt: { reason: "SEC-42: migrating off by March", until: 2027-03-31 }
objects:
  action: alert
  buckets: ["*"]
  include: ["**"]
  exclude: ["tmp/**"]
  sse: { minimum: sse-oss }
limits: { maxRemediationsPerRun: 50, concurrency: 32 }
`;
    // Act
    const { policy } = policyFromText(text, 'design.yaml');

    // Assess
    expect(policy.rules.map((r) => r.id)).toEqual(['prod-cmk', 'legacy-archive']);
    expect(policy.rules[1]?.exempt).toEqual({
      reason: 'SEC-42: migrating off by March',
      until: '2027-03-31',
    });
    expect(policy.objects?.exclude).toEqual(['tmp/**']);
  });

  it('names the path of a KMS key id given with AES256', () => {
    const problems = problemsOf(
      'version: 1\nrules:\n  - id: a\n  - id: b\n  - id: c\n    sse: { algorithm: AES256, kmsKeyId: k1 }\n',
    );
    expect(problems).toEqual(['rules[2].sse.kmsKeyId: needs algorithm KMS (or minimum kms / kms-cmk)']);
  });

  it('reports every problem, one line each, unknown keys included', () => {
    // Prepare
    const text = `version: 2
defaults: { sse: { algorithm: DES }, colour: blue }
rules:
  - id: x
    buckets: []
    remediate: "yes"
  - id: x
limits: { concurrency: 0 }
`;
    // Act
    const problems = problemsOf(text);

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        'version: must be 1',
        'defaults.colour: unknown key',
        'defaults.sse.algorithm: must be one of AES256, KMS, SM4',
        'rules[0].buckets: must list at least one glob',
        'rules[0].remediate: must be true or false',
        'limits.concurrency: Too small: expected number to be >=1',
      ]),
    );
    expect(problems.length).toBeGreaterThanOrEqual(6);
  });

  it('refuses duplicate rule ids', () => {
    const problems = problemsOf('version: 1\nrules:\n  - id: a\n  - id: a\n');
    expect(problems).toEqual(['rules[1].id: duplicates the id of rules[0]']);
  });

  it('refuses both algorithm and minimum, and neither', () => {
    expect(problemsOf('version: 1\ndefaults: { sse: { algorithm: KMS, minimum: kms } }\n')).toEqual([
      'defaults.sse.minimum: cannot be given together with algorithm',
    ]);
    expect(problemsOf('version: 1\ndefaults: { sse: {} }\n')).toEqual([
      'defaults.sse: needs either algorithm or minimum',
    ]);
  });

  it('refuses kmsDataEncryption without KMS', () => {
    expect(problemsOf('version: 1\ndefaults: { sse: { algorithm: SM4, kmsDataEncryption: SM4 } }\n')).toEqual(
      ['defaults.sse.kmsDataEncryption: needs algorithm KMS (or minimum kms / kms-cmk)'],
    );
  });

  it('refuses a remediating kms-cmk minimum that names no key to apply', () => {
    expect(
      problemsOf('version: 1\nrules:\n  - id: r\n    remediate: true\n    sse: { minimum: kms-cmk }\n'),
    ).toEqual([
      'rules[0].sse.kmsKeyId: minimum kms-cmk with remediate: true needs kmsKeyId (the CMK to apply)',
    ]);
  });

  it('refuses a bad glob and a bad date', () => {
    const problems = problemsOf(
      'version: 1\nrules:\n  - id: r\n    buckets: ["[abc"]\n    exempt: { reason: why, until: "next tuesday" }\n',
    );
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^rules\[0\]\.buckets\[0\]: is not a valid glob/);
    expect(problems[1]).toBe(
      'rules[0].exempt.until: must be a date YYYY-MM-DD or an ISO 8601 time (a real day), got "next tuesday"',
    );
  });

  it('refuses an exemption without a reason', () => {
    expect(problemsOf('version: 1\nrules:\n  - id: r\n    exempt: { until: 2027-01-01 }\n')).toEqual([
      'rules[0].exempt.reason: is required',
    ]);
  });

  it('refuses YAML alias bombs, duplicate keys, huge files and non-mappings', () => {
    const bomb = [
      'version: 1',
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    ].join('\n');
    expect(problemsOf(bomb)[0]).toMatch(/alias/i);
    expect(problemsOf('version: 1\nversion: 1\n')[0]).toMatch(/^line 2, column 1: .*unique/i);
    expect(problemsOf(`version: 1\ndescription: "${'x'.repeat(1024 * 1024)}"\n`)[0]).toMatch(
      /the limit is 1048576/,
    );
    expect(problemsOf('- version: 1\n')).toEqual([
      '(top level): must be a mapping with version: 1, got a list',
    ]);
    expect(problemsOf('')).toEqual(['(top level): must be a mapping with version: 1, got empty']);
  });

  it('reads JSON as well as YAML', () => {
    const { policy } = policyFromText('{"version":1,"defaults":{"sse":{"algorithm":"SM4"}}}', 'p.json');
    expect(policy.defaults.sse).toEqual({ algorithm: 'SM4' });
  });

  it('resolves inline text, the built-in policy, and a missing file', async () => {
    // Act
    const inline = await loadPolicy('version: 1\ndefaults: { remediate: true }\n');
    const builtin = await loadPolicy(undefined);

    // Assess
    expect(inline.source).toBe('inline');
    expect(inline.policy.defaults.remediate).toBe(true);
    expect(builtin.source).toBe('builtin');
    await expect(loadPolicy('/nonexistent/policy.yaml')).rejects.toThrow(
      /\(file\): cannot be read \(ENOENT\)/,
    );
  });
});

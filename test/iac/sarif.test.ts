/**
 * SARIF output, validated with ajv against the SARIF 2.1.0 JSON schema committed under
 * test/fixtures/sarif/ (its source is named in that folder's README). The schema is JSON Schema draft-04;
 * ajv 8 reads draft-07, which differs from draft-04 for this schema only in `id` (now `$id`): the test
 * renames that keyword and changes nothing else. `unicodeRegExp: false`: the schema's `language` pattern
 * (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`) has a stray `]` that a `u`-flag RegExp rejects; without the
 * flag it compiles as its authors' tools read it (this output never sets `language`).
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { renderSarif } from '../../shared/iac/sarif.js';
import { policyFromText } from '../../shared/policy/load.js';
import { check, fixture } from './helpers.js';

const SCHEMA_FILE = new URL('../fixtures/sarif/sarif-2.1.0-rtm.5.json', import.meta.url);

function sarifValidator() {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  const { id, $schema: _draft04, ...rest } = schema;
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile({ $schema: 'http://json-schema.org/draft-07/schema#', $id: String(id), ...rest });
}

const POLICY = `version: 1
defaults: { sse: { minimum: kms } }
rules:
  - id: prod-cmk
    description: Production data needs the production CMK
    buckets: ["acme-prod-*"]
    sse: { algorithm: KMS, kmsKeyId: "alias/prod-oss" }
  - { id: legacy, buckets: ["legacy-*"], exempt: { reason: "SEC-42 migrating" } }
`;

describe('SARIF 2.1.0 output', () => {
  it('validates against the SARIF 2.1.0 schema for Terraform and ROS input alike', async () => {
    // Prepare
    const validate = sarifValidator();
    const files = [
      'tf-emulator-twins.plan.json',
      'tf-inline-sse.plan.json',
      'ros-conditions.json',
      'ros-bucket-kms.yaml',
    ];
    const report = await check(files.map(fixture), POLICY, { Env: 'prod' });

    // Act
    const log = JSON.parse(renderSarif(report, policyFromText(POLICY, 'p').policy));
    const valid = validate(log);

    // Assess
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(log.runs[0].results.length).toBeGreaterThan(3);
    // The validator is not vacuous: a wrong level or a result without a message is refused.
    const bad = structuredClone(log);
    bad.runs[0].results[0].level = 'fatal';
    delete bad.runs[0].results[1].message;
    expect(validate(bad)).toBe(false);
  });

  it('has a rule per policy rule and a result per bucket that is not compliant, at its file and line, with the reason', async () => {
    // Prepare
    const report = await check([fixture('tf-emulator-twins.plan.json')], POLICY);

    // Act
    const log = JSON.parse(renderSarif(report, policyFromText(POLICY, 'p').policy, { cwd: fixture('.') }));

    // Assess
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual([
      'prod-cmk',
      'legacy',
      'defaults',
    ]);
    expect(run.tool.driver.rules[0].fullDescription.text).toContain(
      'Production data needs the production CMK',
    );
    const plain = report.findings.find((f) => f.bucket === 'acme-tmp');
    const result = run.results.find(
      (r: { locations: Array<{ logicalLocations: Array<{ fullyQualifiedName: string }> }> }) =>
        r.locations[0]?.logicalLocations[0]?.fullyQualifiedName === 'alicloud_oss_bucket.plain',
    );
    expect(result).toMatchObject({
      ruleId: 'defaults',
      ruleIndex: 2,
      level: 'error',
      kind: 'fail',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'tf-emulator-twins.plan.json' },
            region: { startLine: plain?.line },
          },
        },
      ],
    });
    expect(result.message.text).toContain(plain?.reason);
    const exempt = run.results.find((r: { ruleId: string }) => r.ruleId === 'legacy');
    expect(exempt).toMatchObject({
      level: 'note',
      suppressions: [{ kind: 'external', justification: 'exempt: SEC-42 migrating' }],
    });
    const unknownKey = run.results.find(
      (r: { ruleId: string; level: string }) => r.ruleId === 'prod-cmk' && r.level === 'warning',
    );
    expect(unknownKey?.kind).toBe('review');
    expect(
      run.results.some((r: { properties: { status: string } }) => r.properties.status === 'compliant'),
    ).toBe(false);
  });
});

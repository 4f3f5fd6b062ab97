/**
 * ROS templates (YAML and JSON, written from the ROS documentation's ALIYUN::OSS::Bucket syntax; see
 * fixtures/README.md): parameters from their Default or `--parameter`, Ref, Fn::Join, Fn::Sub, Fn::If,
 * conditions on properties and on resources, ALIYUN::NoValue, and what stays unknown until deployment.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIacText } from '../../shared/iac/check.js';
import { iacExitCode } from '../../shared/iac/report.js';
import { byAddress, check, fixture } from './helpers.js';

const PROD_ALIAS = `version: 1
defaults: { sse: { minimum: sse-oss } }
rules:
  - { id: prod-cmk, buckets: ["acme-prod-*"], sse: { algorithm: KMS, kmsKeyId: "alias/prod-oss" } }
`;

describe('ROS template (YAML): Ref, Fn::Join, parameters', () => {
  it('resolves names from parameter defaults and Fn::Join, and a CMK the stack creates under the alias it creates', async () => {
    // Prepare
    const file = fixture('ros-bucket-kms.yaml');
    const lines = readFileSync(file, 'utf8').split('\n');

    // Act
    const report = await check([file], PROD_ALIAS);

    // Assess
    const f = byAddress(report);
    expect(f.get('ReportsBucket')).toMatchObject({
      bucket: 'acme-prod-reports',
      status: 'compliant',
      ruleId: 'prod-cmk',
      observed: { algorithm: 'KMS', kmsKeyId: 'Ref KmsKey' },
      region: '(unknown)',
    });
    expect(f.get('ScratchBucket')).toMatchObject({ bucket: 'acme-prod-scratch', status: 'noncompliant' });
    expect(lines[(f.get('ReportsBucket')?.line ?? 0) - 1]).toBe('  ReportsBucket:');
    expect(lines[(f.get('ScratchBucket')?.line ?? 0) - 1]).toBe('  ScratchBucket:');
    expect(iacExitCode(report)).toBe(1);
  });

  it('takes --parameter over a Default, so a rename moves the bucket out of the rule', async () => {
    // Act
    const report = await check([fixture('ros-bucket-kms.yaml')], PROD_ALIAS, { Env: 'dev' });

    // Assess
    expect(byAddress(report).get('ScratchBucket')).toMatchObject({
      bucket: 'acme-dev-scratch',
      ruleId: 'defaults',
      status: 'compliant',
    });
  });

  it('selects by region only when the stack region is given as the ALIYUN::Region pseudo parameter', async () => {
    // Prepare
    const policy = 'version: 1\nrules:\n  - { id: hz, regions: [cn-hangzhou], sse: { minimum: kms } }\n';

    // Act
    const unknownRegion = await check([fixture('ros-bucket-kms.yaml')], policy);
    const hangzhou = await check([fixture('ros-bucket-kms.yaml')], policy, {
      'ALIYUN::Region': 'cn-hangzhou',
    });
    const beijing = await check([fixture('ros-bucket-kms.yaml')], policy, { 'ALIYUN::Region': 'cn-beijing' });

    // Assess
    const scratch = (r: typeof hangzhou) => byAddress(r).get('ScratchBucket');
    expect(scratch(unknownRegion)?.status).toBe('unknown');
    expect(scratch(unknownRegion)?.reason).toContain("region is the stack's region");
    expect(scratch(hangzhou)).toMatchObject({ status: 'noncompliant', ruleId: 'hz', region: 'cn-hangzhou' });
    expect(scratch(beijing)).toMatchObject({ status: 'compliant', ruleId: 'defaults' });
  });
});

describe('ROS template (JSON): conditions', () => {
  it('takes the Fn::If branch its condition selects and leaves out a resource whose Condition is false', async () => {
    // Act
    const report = await check([fixture('ros-conditions.json')], PROD_ALIAS);

    // Assess
    expect(report.findings.map((f) => f.address)).toEqual(['DataBucket']);
    expect(report.findings[0]).toMatchObject({
      bucket: 'acme-dev-data',
      observed: { algorithm: 'AES256' },
      status: 'compliant',
    });
    expect(report.findings[0]?.line).toBe(28);
  });

  it('reports unknown when the chosen branch names a key parameter with no value, and ALIYUN::NoValue as no encryption', async () => {
    // Act
    const report = await check([fixture('ros-conditions.json')], PROD_ALIAS, { Env: 'prod' });

    // Assess
    const f = byAddress(report);
    expect(f.get('DataBucket')?.status).toBe('unknown');
    expect(f.get('DataBucket')?.reason).toContain(
      'parameter KeyId has no Default and was not given (--parameter KeyId=VALUE)',
    );
    expect(f.get('AuditBucket')).toMatchObject({
      bucket: 'acme-prod-audit',
      status: 'noncompliant',
      observed: null,
    });
    expect(iacExitCode(report)).toBe(3);
  });

  it('decides once the parameters are given, through Fn::And of a Condition and Fn::Equals', async () => {
    // Act
    const report = await check([fixture('ros-conditions.json')], PROD_ALIAS, {
      Env: 'prod',
      KeyId: 'alias/prod-oss',
      DataClass: 'confidential',
    });

    // Assess
    const f = byAddress(report);
    expect(f.get('DataBucket')).toMatchObject({
      status: 'compliant',
      observed: { algorithm: 'KMS', kmsKeyId: 'alias/prod-oss' },
    });
    expect(f.get('AuditBucket')).toMatchObject({ status: 'noncompliant', observed: { algorithm: 'KMS' } });
    expect(f.get('AuditBucket')?.reason).toContain('expected KMS with key alias/prod-oss');
  });

  it('judges a resource whose Condition cannot be decided as if it were created, and says so', async () => {
    // Prepare
    const text = JSON.stringify({
      ROSTemplateFormatVersion: '2015-09-01',
      Parameters: { Create: { Type: 'String' } },
      Conditions: { Wanted: { 'Fn::Equals': [{ Ref: 'Create' }, 'yes'] } },
      Resources: {
        Maybe: { Type: 'ALIYUN::OSS::Bucket', Condition: 'Wanted', Properties: { BucketName: 'acme-maybe' } },
      },
    });

    // Act
    const parsed = parseIacText('maybe.json', text, new Map());

    // Assess
    expect(parsed.buckets).toHaveLength(1);
    expect(parsed.buckets[0]?.notes[0]).toContain('created only if condition Wanted holds');
  });
});

describe('ROS input that cannot be read safely', () => {
  it('refuses short-form tags rather than reading !Ref Name as the literal text "Name"', () => {
    // Prepare
    const text =
      "ROSTemplateFormatVersion: '2015-09-01'\nResources:\n  B:\n    Type: ALIYUN::OSS::Bucket\n    Properties:\n      BucketName: !Ref Name\n";

    // Act
    const attempt = () => parseIacText('short.yaml', text, new Map());

    // Assess
    expect(attempt).toThrow(/short\.yaml: line 6: .*long form/);
  });

  it('refuses another ROSTemplateFormatVersion and a YAML syntax error with its line', () => {
    // Act
    const version = () =>
      parseIacText('v.yaml', "ROSTemplateFormatVersion: '2099-01-01'\nResources: {}\n", new Map());
    const syntax = () =>
      parseIacText('s.yaml', "ROSTemplateFormatVersion: '2015-09-01'\nResources: [\n", new Map());

    // Assess
    expect(version).toThrow(
      'v.yaml: ROSTemplateFormatVersion "2099-01-01" is not supported; expected \'2015-09-01\'',
    );
    expect(syntax).toThrow(/s\.yaml: line \d+/);
  });
});

/**
 * Terraform plan JSON (fixtures shaped as Terraform's documented JSON output format, from the alicloud
 * provider's documented examples; see fixtures/README.md) judged with the policy: inline and standalone
 * encryption, child modules, values known only after apply, updates that weaken a bucket, and input
 * that is not a plan.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIacText } from '../../shared/iac/check.js';
import { iacExitCode } from '../../shared/iac/report.js';
import { IacInputError } from '../../shared/iac/types.js';
import { byAddress, check, fixture } from './helpers.js';

const KMS_AT_LEAST = 'version: 1\ndefaults: { sse: { minimum: kms } }\n';

describe('Terraform plan: the inline server_side_encryption_rule (provider docs example)', () => {
  it('reads both documented buckets, their region from the provider and their line in the plan', async () => {
    // Prepare
    const file = fixture('tf-inline-sse.plan.json');
    const text = readFileSync(file, 'utf8');

    // Act
    const report = await check([file], 'version: 1\n');

    // Assess
    const f = byAddress(report);
    expect(report.findings).toHaveLength(2);
    expect(f.get('alicloud_oss_bucket.bucket-sserule')).toMatchObject({
      status: 'compliant',
      observed: { algorithm: 'AES256' },
      region: 'cn-hangzhou',
      bucket: '(known after apply)',
    });
    expect(f.get('alicloud_oss_bucket.bucket-kms')).toMatchObject({
      status: 'compliant',
      observed: { algorithm: 'KMS', kmsKeyId: 'alicloud_kms_key.kms.id' },
    });
    const line = f.get('alicloud_oss_bucket.bucket-kms')?.line ?? 0;
    const changes = text.split('\n').findIndex((l) => l.includes('"resource_changes"')) + 1;
    expect(line).toBeGreaterThan(changes);
    expect(text.split('\n')[line - 1]).toContain('"address": "alicloud_oss_bucket.bucket-kms"');
    expect(iacExitCode(report)).toBe(0);
  });

  it('decides a bucket whose name is known only after apply when every rule that could select it agrees', async () => {
    // Prepare
    const policy = `version: 1
defaults: { sse: { minimum: sse-oss } }
rules:
  - { id: prod, buckets: ["terraform-example-*"], sse: { minimum: sse-oss } }
`;

    // Act
    const report = await check([fixture('tf-inline-sse.plan.json')], policy);

    // Assess
    const sserule = byAddress(report).get('alicloud_oss_bucket.bucket-sserule');
    expect(sserule?.status).toBe('compliant');
    expect(sserule?.reason).toContain(
      'whatever bucket name is known after apply (random_integer.default.result)',
    );
  });

  it('reports unknown, never a pass, when the unknown bucket name decides which rule applies', async () => {
    // Prepare
    const policy = `${KMS_AT_LEAST}rules:\n  - { id: legacy, buckets: ["legacy-*"], exempt: { reason: "SEC-42" } }\n`;

    // Act
    const report = await check([fixture('tf-inline-sse.plan.json')], policy);

    // Assess
    const sserule = byAddress(report).get('alicloud_oss_bucket.bucket-sserule');
    expect(sserule?.status).toBe('unknown');
    expect(sserule?.reason).toContain('bucket name is known after apply');
    expect(sserule?.reason).toContain('exempt under legacy');
    expect(sserule?.reason).toContain('noncompliant under defaults');
    expect(iacExitCode(report)).toBe(3);
  });
});

describe('Terraform plan: the standalone alicloud_oss_bucket_server_side_encryption (provider docs example)', () => {
  it('joins the standalone resource to its bucket through the configuration references (InfraGuard reads only the inline block and reports a violation)', async () => {
    // Prepare
    const policy = `${KMS_AT_LEAST}rules:\n  - { id: sm4, sse: { algorithm: KMS, kmsDataEncryption: SM4 } }\n`;

    // Act
    const report = await check([fixture('tf-standalone-sse.plan.json')], policy);

    // Assess
    expect(report.findings).toHaveLength(1);
    const [bucket] = report.findings;
    expect(bucket).toMatchObject({
      address: 'alicloud_oss_bucket.CreateBucket',
      status: 'compliant',
      ruleId: 'sm4',
      observed: { algorithm: 'KMS', kmsKeyId: 'alicloud_kms_key.GetKMS.id', kmsDataEncryption: 'SM4' },
    });
    expect(bucket?.reason).toContain('encryption set by alicloud_oss_bucket_server_side_encryption.default');
  });

  it('compares a CMK the plan creates with an alias the plan points at it, and with an alias it does not', async () => {
    // Prepare: the documented example plus an alicloud_kms_alias on the new key.
    const plan = JSON.parse(readFileSync(fixture('tf-standalone-sse.plan.json'), 'utf8'));
    plan.resource_changes.push({
      address: 'alicloud_kms_alias.prod',
      mode: 'managed',
      type: 'alicloud_kms_alias',
      name: 'prod',
      provider_name: 'registry.terraform.io/aliyun/alicloud',
      change: {
        actions: ['create'],
        before: null,
        after: { alias_name: 'alias/prod-oss' },
        after_unknown: { id: true, key_id: true },
      },
    });
    plan.configuration.root_module.resources.push({
      address: 'alicloud_kms_alias.prod',
      mode: 'managed',
      type: 'alicloud_kms_alias',
      name: 'prod',
      provider_config_key: 'alicloud',
      expressions: {
        alias_name: { constant_value: 'alias/prod-oss' },
        key_id: { references: ['alicloud_kms_key.GetKMS.id', 'alicloud_kms_key.GetKMS'] },
      },
    });
    const dir = await mkdtemp(join(tmpdir(), 'iac-'));
    const file = join(dir, 'plan.json');
    writeFileSync(file, JSON.stringify(plan));
    const wants = (alias: string) =>
      `version: 1\ndefaults: { sse: { algorithm: KMS, kmsKeyId: "${alias}" } }\n`;

    // Act
    const same = await check([file], wants('alias/prod-oss'));
    const other = await check([file], wants('alias/other'));

    // Assess
    expect(same.findings[0]?.status).toBe('compliant');
    // A key the plan creates is new: no alias that exists before the apply names it.
    expect(other.findings[0]?.status).toBe('noncompliant');
    expect(other.findings[0]?.reason).toContain('expected key alias/other');
    expect(other.findings[0]?.line).toBe(1);
  });
});

describe('Terraform plan: modules, unknown values, updates', () => {
  it('reads buckets of a child module with their region from a root variable and their tags', async () => {
    // Prepare
    const policy = `version: 1
rules:
  - id: prod-logs
    regions: [cn-shanghai]
    tags: { env: prod }
    sse: { algorithm: KMS, kmsKeyId: "acs:kms:cn-shanghai:1234567890123456:key/0b2f6c1e-5a7d-4e0b-9c3f-2d8e1a4b6c7d" }
`;

    // Act
    const report = await check([fixture('tf-module.plan.json')], policy);

    // Assess
    const f = byAddress(report);
    expect(f.get('module.logs.alicloud_oss_bucket.this')).toMatchObject({
      bucket: 'acme-logs-prod',
      region: 'cn-shanghai',
      status: 'compliant',
      ruleId: 'prod-logs',
    });
    expect(f.get('module.logs.alicloud_oss_bucket.this')?.reason).toContain(
      'encryption set by module.logs.alicloud_oss_bucket_server_side_encryption.this',
    );
    expect(f.get('alicloud_oss_bucket.scratch')).toMatchObject({
      ruleId: 'defaults',
      status: 'noncompliant',
    });
  });

  it('reports a KMS key id known only after apply as unknown when the rule names a key, and decides when it does not', async () => {
    // Prepare
    const named =
      'version: 1\nrules:\n  - { id: prod, buckets: ["acme-prod-*"], sse: { algorithm: KMS, kmsKeyId: "alias/prod-oss" } }\n';

    // Act
    const withKey = await check([fixture('tf-unknown-kms.plan.json')], named);
    const anyKms = await check([fixture('tf-unknown-kms.plan.json')], KMS_AT_LEAST);

    // Assess
    expect(withKey.findings[0]).toMatchObject({
      status: 'unknown',
      observed: { algorithm: 'KMS', kmsKeyId: '(known after apply)' },
    });
    expect(withKey.findings[0]?.reason).toContain('KMS key id is known after apply (module.kms.key_id)');
    expect(iacExitCode(withKey)).toBe(3);
    expect(anyKms.findings[0]?.status).toBe('compliant');
    expect(iacExitCode(anyKms)).toBe(0);
  });

  it('refuses an update that weakens a bucket from KMS to AES256 although AES256 meets the minimum (never weaker)', async () => {
    // Act
    const report = await check([fixture('tf-weakening-update.plan.json')], 'version: 1\n');

    // Assess
    const archive = byAddress(report).get('alicloud_oss_bucket.archive');
    expect(archive).toMatchObject({
      status: 'noncompliant',
      region: 'cn-beijing',
      observed: { algorithm: 'AES256' },
    });
    expect(archive?.reason).toContain(
      'weakens the bucket from KMS, key 7906979c-8e06-46a2-be2d-68e3ccbc2fd5 to AES256',
    );
    expect(iacExitCode(report)).toBe(1);
  });

  it('accepts the weakening update when the rule asks for exactly that configuration', async () => {
    // Act
    const report = await check(
      [fixture('tf-weakening-update.plan.json')],
      'version: 1\nrules:\n  - { id: archive, buckets: ["acme-prod-archive"], sse: { algorithm: AES256 }, match: exact }\n',
    );

    // Assess
    expect(byAddress(report).get('alicloud_oss_bucket.archive')?.status).toBe('compliant');
  });

  it('reads the destruction of a standalone encryption resource as the bucket losing its encryption', async () => {
    // Act
    const report = await check([fixture('tf-weakening-update.plan.json')], 'version: 1\n');

    // Assess
    const media = byAddress(report).get('alicloud_oss_bucket.media');
    expect(media).toMatchObject({ status: 'noncompliant', observed: null });
    expect(media?.reason).toContain('alicloud_oss_bucket_server_side_encryption.media is destroyed');
  });
});

describe('Terraform input that is not a usable plan', () => {
  it('rejects an unsupported format_version, a binary plan file, and state JSON with what to run instead', () => {
    // Prepare
    const plan = readFileSync(fixture('tf-inline-sse.plan.json'), 'utf8');
    const none = new Map<string, string>();

    // Act
    const attempts = [
      () => parseIacText('v2.json', plan.replace('"format_version": "1.2"', '"format_version": "2.0"'), none),
      () => parseIacText('tfplan', 'PK\u0003\u0004binary', none),
      () => parseIacText('state.json', '{"format_version":"1.0","values":{}}', none),
      () => parseIacText('other.yaml', 'kind: Deployment\n', none),
    ];

    // Assess
    const messages = attempts.map((a) => {
      try {
        a();
        return 'no error';
      } catch (err) {
        expect(err).toBeInstanceOf(IacInputError);
        return (err as Error).message;
      }
    });
    expect(messages[0]).toBe(
      'v2.json: format_version "2.0" is not supported; expected 1.x (terraform show -json)',
    );
    expect(messages[1]).toContain('binary Terraform plan file');
    expect(messages[2]).toContain('not a plan');
    expect(messages[3]).toContain('neither a Terraform plan JSON');
  });
});

describe('Terraform plan: count and for_each instances', () => {
  it('joins each standalone encryption instance to the bucket instance with the same key', async () => {
    // Prepare: two buckets with count, each with its own standalone encryption (count too).
    const provider = 'registry.terraform.io/aliyun/alicloud';
    const bucket = (i: number) => ({
      address: `alicloud_oss_bucket.b[${i}]`,
      index: i,
      mode: 'managed',
      type: 'alicloud_oss_bucket',
      name: 'b',
      provider_name: provider,
      change: {
        actions: ['create'],
        before: null,
        after: { bucket: `acme-part-${i}`, server_side_encryption_rule: [], tags: null },
        after_unknown: { id: true, server_side_encryption_rule: [] },
      },
    });
    const sse = (i: number, algorithm: string) => ({
      address: `alicloud_oss_bucket_server_side_encryption.b[${i}]`,
      index: i,
      mode: 'managed',
      type: 'alicloud_oss_bucket_server_side_encryption',
      name: 'b',
      provider_name: provider,
      change: {
        actions: ['create'],
        before: null,
        after: { sse_algorithm: algorithm },
        after_unknown: { bucket: true, id: true },
      },
    });
    const plan = {
      format_version: '1.2',
      resource_changes: [bucket(0), bucket(1), sse(0, 'KMS'), sse(1, 'AES256')],
      configuration: {
        provider_config: {
          alicloud: { name: 'alicloud', expressions: { region: { constant_value: 'cn-qingdao' } } },
        },
        root_module: {
          resources: [
            {
              address: 'alicloud_oss_bucket.b',
              mode: 'managed',
              type: 'alicloud_oss_bucket',
              name: 'b',
              provider_config_key: 'alicloud',
              expressions: { bucket: { references: ['count.index'] } },
              count_expression: { constant_value: 2 },
            },
            {
              address: 'alicloud_oss_bucket_server_side_encryption.b',
              mode: 'managed',
              type: 'alicloud_oss_bucket_server_side_encryption',
              name: 'b',
              provider_config_key: 'alicloud',
              expressions: {
                bucket: {
                  references: [
                    'alicloud_oss_bucket.b[count.index].bucket',
                    'alicloud_oss_bucket.b[count.index]',
                    'alicloud_oss_bucket.b',
                    'count.index',
                  ],
                },
                sse_algorithm: { references: ['count.index'] },
              },
              count_expression: { constant_value: 2 },
            },
          ],
        },
      },
    };

    // Act
    const parsed = parseIacText('count.json', JSON.stringify(plan), new Map());

    // Assess
    expect(parsed.buckets.map((b) => [b.address, b.region, b.sse])).toEqual([
      [
        'alicloud_oss_bucket.b[0]',
        { known: true, value: 'cn-qingdao' },
        { kind: 'config', config: { algorithm: 'KMS' } },
      ],
      [
        'alicloud_oss_bucket.b[1]',
        { known: true, value: 'cn-qingdao' },
        { kind: 'config', config: { algorithm: 'AES256' } },
      ],
    ]);
  });
});

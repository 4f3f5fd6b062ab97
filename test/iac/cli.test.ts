/**
 * `oss-sse-guard iac check` as a user runs it (the real command in a child process): the formats, the
 * exit codes of `audit` (0 compliant, 1 not, 2 usage / policy / input error, 3 unknown), `--parameter`
 * and `--out`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { iacReportSchema } from '../../shared/iac/report.js';
import { runCli } from '../helpers/cli.js';
import { fixture } from './helpers.js';

const KMS = 'version: 1\ndefaults: { sse: { minimum: kms } }\n';

describe('oss-sse-guard iac check', { timeout: 90_000 }, () => {
  it('prints the table and exits 0 when every planned bucket complies', async () => {
    // Act
    const r = await runCli(['iac', 'check', fixture('tf-standalone-sse.plan.json'), '--policy', KMS]);

    // Assess
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 buckets in 1 files: compliant 1');
    expect(r.stdout).toMatch(/RESOURCE\s+BUCKET\s+REGION\s+STATUS\s+PLANNED\s+REQUIRED\s+RULE\s+REASON/);
    expect(r.stdout).toContain('alicloud_oss_bucket.CreateBucket');
  });

  it('exits 1 for a non-compliant bucket and prints JSON that the report schema accepts', async () => {
    // Act
    const r = await runCli(['iac', 'check', fixture('tf-weakening-update.plan.json'), '--format', 'json']);

    // Assess
    expect(r.code).toBe(1);
    const report = iacReportSchema.parse(JSON.parse(r.stdout));
    expect(report.policy.source).toBe('builtin');
    expect(report.summary.byStatus.noncompliant).toBe(2);
  });

  it('exits 3 when a value known only after apply decides, and decides once --parameter gives it', async () => {
    // Prepare
    const policy =
      'version: 1\nrules:\n  - { id: prod, buckets: ["acme-prod-*"], sse: { algorithm: KMS, kmsKeyId: alias/prod-oss } }\n';
    const file = fixture('ros-conditions.json');

    // Act
    const open = await runCli(['iac', 'check', file, '--policy', policy, '--parameter', 'Env=prod']);
    const given = await runCli([
      'iac',
      'check',
      file,
      '--policy',
      policy,
      '--parameter',
      'Env=prod',
      '--parameter',
      'KeyId=alias/prod-oss',
      '--parameter',
      'DataClass=confidential',
      '--format',
      'sarif',
    ]);

    // Assess
    expect(open.code).toBe(3);
    expect(open.stdout).toContain('unknown');
    expect(given.code).toBe(1);
    expect(JSON.parse(given.stdout).version).toBe('2.1.0');
  });

  it('writes every format with --out and prints the first', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'iac-out-'));

    // Act
    const r = await runCli([
      'iac',
      'check',
      fixture('tf-module.plan.json'),
      '--format',
      'sarif,json,table',
      '--out',
      dir,
    ]);

    // Assess
    expect(r.code).toBe(1);
    const files = readdirSync(dir).sort();
    expect(files.map((f) => f.split('.').pop())).toEqual(['json', 'sarif', 'txt']);
    expect(JSON.parse(r.stdout).runs).toHaveLength(1);
    expect(readFileSync(join(dir, files[2] as string), 'utf8')).toContain(
      'module.logs.alicloud_oss_bucket.this',
    );
  });

  it('exits 2 with one clear line for a bad format, a bad parameter, a bad policy, and a file that is not IaC', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'iac-bad-'));
    const notIac = join(dir, 'values.yaml');
    writeFileSync(notIac, 'replicas: 3\n');
    const plan = fixture('tf-module.plan.json');

    // Act
    const [format, parameter, policy, input, missing] = await Promise.all([
      runCli(['iac', 'check', plan, '--format', 'html']),
      runCli(['iac', 'check', plan, '--parameter', 'noequals']),
      runCli(['iac', 'check', plan, '--policy', 'version: 1\ndefaults: { sse: { algorithm: DES } }\n']),
      runCli(['iac', 'check', notIac]),
      runCli(['iac', 'check', join(dir, 'nope.json')]),
    ]);

    // Assess
    for (const r of [format, parameter, policy, input, missing]) expect(r?.code).toBe(2);
    expect(format?.stderr).toBe('error: --format: "html" is not one of table, json, sarif\n');
    expect(parameter?.stderr).toBe('error: --parameter: "noequals" must be NAME=VALUE\n');
    expect(policy?.stderr).toContain('defaults.sse.algorithm: must be one of AES256, KMS, SM4');
    expect(input?.stderr).toContain('is neither a Terraform plan JSON');
    expect(missing?.stderr).toContain('cannot be read (ENOENT)');
    expect(missing?.stdout).toBe('');
  });
});

describe('the pre-commit hook', () => {
  it("runs this package's command on ROS templates and not on other YAML", () => {
    // Prepare
    const root = new URL('../../', import.meta.url);
    const hooks = parse(readFileSync(new URL('.pre-commit-hooks.yaml', root), 'utf8')) as Array<
      Record<string, unknown>
    >;
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      bin: Record<string, string>;
    };

    // Act
    const [hook] = hooks;
    const files = new RegExp(String(hook?.files));

    // Assess
    expect(hook).toMatchObject({
      id: 'oss-sse-guard-iac',
      language: 'node',
      entry: 'oss-sse-guard iac check',
    });
    expect(Object.keys(pkg.bin)).toContain('oss-sse-guard');
    expect(
      ['ros/stack.yaml', 'infra/templates/bucket.json', 'app.ros.yml', 'plan.tfplan.json'].every((f) =>
        files.test(f),
      ),
    ).toBe(true);
    expect(['.github/workflows/ci.yml', 'package.json', 'k8s/deploy.yaml'].some((f) => files.test(f))).toBe(
      false,
    );
  });
});

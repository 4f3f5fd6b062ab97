/**
 * The member-role ROS template (templates/member-role.ros.yaml): valid against the ROS template format
 * (test/fixtures/ros/template-subset.json, written from the ROS developer reference "Template structure",
 * "Parameters" and "ALIYUN::RAM::Role"), in sync with its generator, and the role it creates — name,
 * policy, trust policy with the parameters substituted — exactly what `ram-policy --org` prints.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_ORG_POLICY } from '../../cli/demo-org.js';
import { memberRoleTemplateYaml } from '../../shared/org/ros-template.js';
import { policyFromText } from '../../shared/policy/load.js';
import { runCli } from '../helpers/cli.js';

const TEMPLATE = new URL('../../templates/member-role.ros.yaml', import.meta.url);
const SCHEMA = JSON.parse(
  readFileSync(new URL('../fixtures/ros/template-subset.json', import.meta.url), 'utf8'),
);
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(SCHEMA);

/** Resolves `Fn::Sub` with the stack's parameters (ROS intrinsic function, `${Name}` placeholders). */
function substitute(value: unknown, params: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => substitute(v, params));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]?.[0] === 'Fn::Sub') {
      return String(entries[0][1]).replace(
        /\$\{([A-Za-z0-9]+)\}/g,
        (_m, n: string) => params[n] ?? `\${${n}}`,
      );
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, substitute(v, params)]));
  }
  return value;
}

describe('member role ROS template', () => {
  it('validates against the ROS template format', () => {
    // Prepare
    const template = parse(readFileSync(TEMPLATE, 'utf8'));

    // Act
    const ok = validate(template);

    // Assess
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(template.Resources.AuditorRole.Type).toBe('ALIYUN::RAM::Role');
  });

  it('is refused by the format check when a property is not an ALIYUN::RAM::Role property', () => {
    // Prepare
    const template = parse(readFileSync(TEMPLATE, 'utf8'));
    template.Resources.AuditorRole.Properties.Path = '/';
    template.ROSTemplateFormatVersion = '2010-09-09';

    // Act
    const ok = validate(template);

    // Assess
    expect(ok).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/ROSTemplateFormatVersion', '/Resources/AuditorRole/Properties']),
    );
  });

  it('is what the generator makes for the shipped organization policy', () => {
    // Prepare
    const loaded = policyFromText(readFileSync(DEMO_ORG_POLICY, 'utf8'), DEMO_ORG_POLICY);

    // Act
    const generated = memberRoleTemplateYaml(loaded.policy);

    // Assess
    expect(readFileSync(TEMPLATE, 'utf8')).toBe(generated);
  });

  it('creates exactly the member role that ram-policy --org prints', async () => {
    // Prepare
    const template = parse(readFileSync(TEMPLATE, 'utf8'));
    const params = { ManagementAccountId: '1234567890123456', FunctionRoleName: 'oss-sse-guard-fn' };

    // Act
    const printed = await runCli([
      'ram-policy',
      '--org',
      '--policy',
      DEMO_ORG_POLICY,
      '--account-id',
      params.ManagementAccountId,
    ]);
    const role = substitute(template.Resources.AuditorRole.Properties, params) as Record<string, unknown>;

    // Assess
    expect(printed.code).toBe(0);
    const docs = JSON.parse(printed.stdout);
    expect(role.RoleName).toBe(docs.memberRole.roleName);
    expect(role.AssumeRolePolicyDocument).toEqual(docs.memberRole.trustPolicy);
    expect((role.Policies as { PolicyDocument: unknown }[])[0]?.PolicyDocument).toEqual(
      docs.memberRole.policy,
    );
    expect(docs.memberRole.trustPolicy.Statement[0].Principal.RAM).toEqual([
      'acs:ram::1234567890123456:role/oss-sse-guard-fn',
    ]);
    const assume = docs.management.policy.Statement.find((s: { Action: string[] }) =>
      s.Action.includes('sts:AssumeRole'),
    );
    expect(assume.Resource).toEqual(['acs:ram::*:role/oss-sse-guard-auditor']);
  });
});

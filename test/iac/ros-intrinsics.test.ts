/**
 * ROS intrinsic functions, pure, with literal templates: what is decided before deployment and what
 * stays unknown with its reason (functions as the ROS template reference lists them).
 */
import { describe, expect, it } from 'vitest';
import { condition, NO_VALUE, type RosScope, resolve } from '../../shared/iac/ros-intrinsics.js';

const scope = (over: Partial<RosScope> = {}): RosScope => ({
  parameters: {
    Env: { Type: 'String', Default: 'prod' },
    Size: { Type: 'Number', Default: 3 },
    Zones: { Type: 'CommaDelimitedList' },
    Flag: { Type: 'Boolean' },
    Secret: { Type: 'String' },
  },
  conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
    NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    Either: { 'Fn::Or': [{ Condition: 'NotProd' }, { 'Fn::Equals': [{ Ref: 'Secret' }, 'x'] }] },
    Loop: { 'Fn::Not': [{ Condition: 'Loop' }] },
  },
  resources: { Key: { Type: 'ALIYUN::KMS::Key' } },
  given: new Map([['Zones', 'a, b,c']]),
  ...over,
});

describe('ROS intrinsic functions', () => {
  it('resolves Fn::Sub with parameters and local variables, Fn::Select and typed --parameter values', () => {
    // Act
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ROS Fn::Sub placeholders, not JavaScript
    const sub = resolve(scope(), { 'Fn::Sub': ['${Env}-${Suffix}', { Suffix: { Ref: 'Size' } }] });
    const select = resolve(scope(), { 'Fn::Select': ['1', { Ref: 'Zones' }] });
    const given = resolve(
      scope({
        given: new Map([
          ['Size', '7'],
          ['Flag', 'true'],
        ]),
      }),
      [{ Ref: 'Size' }, { Ref: 'Flag' }],
    );

    // Assess
    expect(sub).toEqual({ known: true, value: 'prod-3' });
    expect(select).toEqual({ known: true, value: 'b' });
    expect(given).toEqual({ known: true, value: [7, true] });
  });

  it('leaves out a property set to ALIYUN::NoValue and evaluates Fn::Not and Fn::Or', () => {
    // Act
    const props = resolve(scope(), { A: 'x', B: { Ref: 'ALIYUN::NoValue' } });
    const notProd = condition(scope(), 'NotProd');
    const either = condition(scope({ given: new Map([['Env', 'dev']]) }), 'Either');

    // Assess
    expect(props).toEqual({ known: true, value: { A: 'x' } });
    expect(resolve(scope(), { Ref: 'ALIYUN::NoValue' })).toEqual({ known: true, value: NO_VALUE });
    expect(notProd).toEqual({ known: true, value: false });
    // NotProd is true: Fn::Or is decided although Secret has no value.
    expect(either).toEqual({ known: true, value: true });
  });

  it('reports what only the deployment can tell as unknown with the reason', () => {
    // Act
    const results = [
      resolve(scope(), { Ref: 'Secret' }),
      resolve(scope(), { Ref: 'Key' }),
      resolve(scope(), { Ref: 'ALIYUN::AccountId' }),
      resolve(scope(), { 'Fn::GetAtt': ['Key', 'Arn'] }),
      resolve(scope(), { 'Fn::FindInMap': ['M', 'a', 'b'] }),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ROS Fn::Sub placeholders, not JavaScript
      resolve(scope(), { 'Fn::Sub': '${Key.Arn}' }),
      resolve(scope(), { Ref: 'Nothing' }),
      condition(scope(), 'Either'),
      condition(scope(), 'Loop'),
      condition(scope(), 'Undefined'),
    ];

    // Assess
    const whys = results.map((r) => (r.known ? 'known' : r.why));
    expect(whys).toEqual([
      'parameter Secret has no Default and was not given (--parameter Secret=VALUE)',
      'Ref Key is the id of resource Key, known after it is created',
      'ALIYUN::AccountId is known when the stack is created (--parameter ALIYUN::AccountId=VALUE)',
      'Fn::GetAtt ["Key","Arn"] is known after the stack is created',
      'Fn::FindInMap is not evaluated before deployment by oss-sse-guard',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ROS Fn::Sub placeholders, not JavaScript
      '${Key.Arn} is known after the stack is created',
      'Ref Nothing names no parameter or resource of the template',
      'parameter Secret has no Default and was not given (--parameter Secret=VALUE)',
      'condition Loop refers to itself',
      'condition Undefined is not defined',
    ]);
  });

  it('decides Fn::If with an unknown condition only when both branches are the same', () => {
    // Act
    const same = resolve(scope(), {
      'Fn::If': [{ 'Fn::Equals': [{ Ref: 'Secret' }, 'x'] }, 'AES256', 'AES256'],
    });
    const differ = resolve(scope(), { 'Fn::If': ['Either', 'KMS', 'AES256'] });

    // Assess
    expect(same).toEqual({ known: true, value: 'AES256' });
    expect(differ.known).toBe(false);
  });
});

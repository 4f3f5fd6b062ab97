/**
 * The fc3 requirement checker itself: it must find what the fc3 schema (test/fixtures/fc3) forbids, or
 * the s.yaml test that relies on it proves nothing.
 */
import { describe, expect, it } from 'vitest';
import { checkFc3Props, type Json, loadFc3Schema, requiredProps } from './fc3-requirements.js';

const schema = loadFc3Schema();

/** A valid nodejs20 function with a timer and an OSS trigger, as in the fc3 docs' s.yaml example. */
function validProps(): { [key: string]: Json } {
  return {
    region: 'cn-hangzhou',
    functionName: 'fn',
    runtime: 'nodejs20',
    code: './dist/fn',
    handler: 'index.handler',
    timeout: 60,
    memorySize: 512,
    environmentVariables: { A: 'a' },
    logConfig: { project: 'p', logstore: 'l' },
    triggers: [
      {
        triggerName: 'timer',
        triggerType: 'timer',
        triggerConfig: { cronExpression: '0 0 8 * * *', enable: true, payload: 'x' },
      },
      {
        triggerName: 'oss',
        triggerType: 'oss',
        sourceArn: 'acs:oss:cn-hangzhou:1234567890123456:bucket',
        invocationRole: 'acs:ram::1234567890123456:role/aliyunosseventnotificationrole',
        triggerConfig: {
          events: ['oss:ObjectCreated:PutObject'],
          filter: { key: { prefix: 'source/', suffix: '.png' } },
        },
      },
      {
        // fc3 docs/zh/yaml/example.md's Default-source trigger, with every field the schema requires.
        triggerName: 'eventbridge',
        triggerType: 'eventbridge',
        triggerConfig: {
          triggerEnable: true,
          asyncInvocationType: false,
          eventRuleFilterPattern: '{"source":["acs.oss"],"type":["oss:BucketCreated:PutBucket"]}',
          eventSourceConfig: { eventSourceType: 'Default', eventSourceParameters: {} },
          eventSinkConfig: { deliveryOption: { mode: 'event-driven', eventSchema: 'CloudEvents' } },
          runOptions: { mode: 'event-driven' },
        },
      },
    ],
  };
}

type Props = ReturnType<typeof validProps>;
function eventBridgeConfig(props: Props): { [key: string]: Json } {
  const triggers = props.triggers as { [key: string]: Json }[];
  return triggers[2]?.triggerConfig as { [key: string]: Json };
}
function ossConfig(props: Props): { [key: string]: Json } {
  const triggers = props.triggers as { [key: string]: Json }[];
  return triggers[1]?.triggerConfig as { [key: string]: Json };
}

describe('fc3 requirement checker', () => {
  it('accepts a function shaped like the fc3 documentation example', () => {
    // Prepare
    const props = validProps();

    // Act
    const problems = checkFc3Props(props, schema);

    // Assess
    expect(problems).toEqual([]);
  });

  it('requires code and handler for a nodejs runtime but not handler for a custom runtime', () => {
    // Prepare / Act
    const node = requiredProps(schema, 'nodejs20');
    const custom = requiredProps(schema, 'custom.debian10');
    const container = requiredProps(schema, 'custom-container');

    // Assess
    expect(node.sort()).toEqual(['code', 'functionName', 'handler', 'region', 'runtime']);
    expect(custom.sort()).toEqual(['code', 'functionName', 'region', 'runtime']);
    expect(container).toContain('customContainerConfig');
  });

  it('reports a missing handler and an unknown runtime', () => {
    // Prepare
    const props = validProps();
    delete props.handler;
    props.runtime = 'nodejs22-preview';

    // Act
    const problems = checkFc3Props(props, schema);

    // Assess
    expect(problems).toContain('handler: required by fc3');
    expect(problems).toContain('runtime: "nodejs22-preview" is not a runtime fc3 accepts');
  });

  it('reports an OSS trigger filter without a suffix', () => {
    // Prepare
    const props = validProps();
    ossConfig(props).filter = { key: { prefix: '' } };

    // Act
    const problems = checkFc3Props(props, schema);

    // Assess
    expect(problems).toEqual(['triggers[1].triggerConfig.filter.key.suffix: required by fc3']);
  });

  it('reports OSS event names fc3 does not accept and an empty event list', () => {
    // Prepare
    const bad = validProps();
    ossConfig(bad).events = ['oss:ObjectCreated:PutObject', 'ObjectCreated:PostObject'];
    const empty = validProps();
    ossConfig(empty).events = [];

    // Act
    const badProblems = checkFc3Props(bad, schema);
    const emptyProblems = checkFc3Props(empty, schema);

    // Assess
    expect(badProblems).toEqual([
      'triggers[1].triggerConfig.events[1]: "ObjectCreated:PostObject" is not an OSS event fc3 accepts',
    ]);
    expect(emptyProblems).toEqual(['triggers[1].triggerConfig.events: must be a non-empty list']);
  });

  it('reports a timer trigger without enable and with a non-string payload', () => {
    // Prepare
    const props = validProps();
    const timer = (props.triggers as { [key: string]: Json }[])[0] as { [key: string]: Json };
    timer.triggerConfig = { cronExpression: '0 0 8 * * *', payload: { run: true } };

    // Act
    const problems = checkFc3Props(props, schema);

    // Assess
    expect(problems).toEqual([
      'triggers[0].triggerConfig.enable: required by fc3',
      'triggers[0].triggerConfig.payload: must be a string',
    ]);
  });

  it('reports non-string environment values, bad sizes and an incomplete logConfig', () => {
    // Prepare
    const props = validProps();
    props.environmentVariables = { DRY_RUN: true };
    props.memorySize = 500;
    props.timeout = 0;
    props.logConfig = { project: 'p' };

    // Act
    const problems = checkFc3Props(props, schema);

    // Assess
    expect(problems).toEqual([
      'memorySize: must be a multiple of 64',
      'timeout: below 1',
      'environmentVariables.DRY_RUN: must be a string, got true',
      'logConfig.logstore: required by fc3',
    ]);
  });

  it('reports trigger names used twice and unknown trigger types', () => {
    // Prepare
    const props = validProps();
    const triggers = props.triggers as { [key: string]: Json }[];
    (triggers[1] as { [key: string]: Json }).triggerName = 'timer';
    (triggers[0] as { [key: string]: Json }).triggerType = 'cron';

    // Act
    const problems = checkFc3Props(props, schema);

    // Assess
    expect(problems).toContain(
      'triggers[0].triggerType: "cron" is not one of cdn_events, eventbridge, http, log, mns_topic, oss, tablestore, timer',
    );
    expect(problems).toContain('triggers[1].triggerName: duplicate timer');
  });
  it('reports an eventbridge trigger without the fields the fc3 schema requires', () => {
    // Prepare
    const props = validProps();
    const config = eventBridgeConfig(props);
    delete config.runOptions;
    delete config.eventSinkConfig;
    config.eventSourceConfig = { eventSourceType: 'Default' };

    // Act
    const problems = checkFc3Props(props, schema);

    // Assess
    expect(problems).toEqual([
      'triggers[2].triggerConfig.eventSinkConfig: required by fc3',
      'triggers[2].triggerConfig.runOptions: required by fc3',
      'triggers[2].triggerConfig.eventSourceConfig.eventSourceParameters: required by fc3',
    ]);
  });

  it('reports eventbridge fields of the wrong type and a pattern that is not JSON', () => {
    // Prepare
    const props = validProps();
    const config = eventBridgeConfig(props);
    config.triggerEnable = 'yes';
    config.eventRuleFilterPattern = "{source: ['acs.oss']}";
    config.eventSinkConfig = { deliveryOption: 'CloudEvents' };

    // Act
    const problems = checkFc3Props(props, schema);

    // Assess
    expect(problems).toEqual([
      'triggers[2].triggerConfig.eventSinkConfig.deliveryOption: must be an object',
      'triggers[2].triggerConfig.triggerEnable: must be a boolean',
      'triggers[2].triggerConfig.eventRuleFilterPattern: is not JSON',
    ]);
  });
});

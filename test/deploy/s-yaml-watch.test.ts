/**
 * s.yaml's bucket-watch function, rendered by `s preview`: fc3 `eventbridge` triggers whose event patterns
 * select exactly the events the watch acts on (checked with the documented event samples), the fc3 schema's
 * requirements, and the settings it shares with the auditor.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIONTRAIL_TYPES, BUCKET_CREATED } from '../../shared/watch/change.js';
import { apiCall, bucketCreated, DOC, envelope, objectCreated } from '../fixtures/eventbridge/builders.js';
import { checkFc3Props, isObj, type Json, type Obj } from './fc3-requirements.js';
import { obj, renderSYaml, TEST_ACCOUNT } from './s-preview.js';

let rendered: Obj;
beforeAll(() => {
  rendered = renderSYaml();
});

const props = () =>
  obj(obj(obj(rendered.resources, 'resources')['bucket-watch'], 'bucket-watch').props, 'props');
const vars = () => obj(rendered.vars, 'vars');
const triggers = () => (props().triggers as Json[]).map((t, i) => obj(t, `triggers[${i}]`));
const configOf = (t: Obj) => obj(t.triggerConfig, 'triggerConfig');
const patterns = () => triggers().map((t) => JSON.parse(String(configOf(t).eventRuleFilterPattern)) as Obj);

/**
 * EventBridge's exact-value matching ("Event patterns"): every field of the pattern must match; a list
 * matches any of its values; an object descends. Other operators (prefix, suffix...) are not used here.
 */
function matches(pattern: Obj, event: Obj): boolean {
  return Object.entries(pattern).every(([key, cond]) => {
    if (Array.isArray(cond)) {
      if (cond.some((c) => typeof c === 'object' && c !== null))
        throw new Error(`${key}: operator not supported`);
      return cond.includes(event[key] as Json);
    }
    return isObj(cond) && isObj(event[key]) && matches(cond, event[key] as Obj);
  });
}
const selected = (event: Record<string, unknown>) => patterns().some((p) => matches(p, event as Obj));

describe('s.yaml bucket-watch', () => {
  it('gives fc3 every property its schema requires, and deploys the built bundle', () => {
    // Act
    const problems = checkFc3Props(props());

    // Assess
    expect(problems).toEqual([]);
    expect(props()).toMatchObject({
      runtime: 'nodejs20',
      handler: 'index.handler',
      code: './dist/bucket-watch',
    });
  });

  it('is started by EventBridge on the default bus, with CloudEvents, asynchronously', () => {
    // Assess
    expect(triggers().map((t) => [t.triggerName, t.triggerType])).toEqual([
      ['bucket-created', 'eventbridge'],
      ['encryption-changed', 'eventbridge'],
    ]);
    for (const t of triggers()) {
      expect(configOf(t)).toMatchObject({
        triggerEnable: true,
        asyncInvocationType: true,
        eventSourceConfig: { eventSourceType: 'Default' },
        eventSinkConfig: { deliveryOption: { mode: 'event-driven', eventSchema: 'CloudEvents' } },
      });
    }
  });

  it('selects bucket creations and encryption API calls, and only OSS event types the watch handles', () => {
    // Assess
    expect(patterns()).toEqual([
      { source: ['acs.oss'], type: [BUCKET_CREATED] },
      {
        source: ['acs.oss'],
        type: ['oss:ActionTrail:ApiCall'],
        data: { eventName: ['PutBucketEncryption', 'DeleteBucketEncryption'] },
      },
    ]);
    const handled: string[] = [BUCKET_CREATED, ...ACTIONTRAIL_TYPES];
    for (const p of patterns()) for (const type of p.type as string[]) expect(handled).toContain(type);
  });

  it('lets the documented sample events through exactly when the watch acts on them', () => {
    // Prepare
    const a = { accountId: TEST_ACCOUNT, bucket: 'b-1' };
    const wanted = [
      bucketCreated(a),
      apiCall({ ...a, operation: 'PutBucketEncryption' }),
      apiCall({ ...a, operation: 'DeleteBucketEncryption' }),
    ];
    const unwanted = [
      apiCall({ ...a, operation: 'PutBucketLogging' }),
      envelope({
        type: 'oss:ActionTrail:ApiCall',
        accountId: TEST_ACCOUNT,
        data: DOC.actionTrailOssPutBucket,
      }),
      objectCreated({ ...a, key: 'k' }),
      DOC.ossObjectEvent,
      DOC.overview,
      envelope({
        type: 'actiontrail:ActionTrail:ApiCall',
        source: 'acs.actiontrail',
        accountId: TEST_ACCOUNT,
        data: DOC.actionTrailApiCall,
      }),
    ];

    // Assess
    expect(wanted.map(selected)).toEqual([true, true, true]);
    expect(unwanted.map(selected)).toEqual([false, false, false, false, false, false]);
  });

  it("runs as the auditor's role with its policy, report location and dry-run switch", () => {
    // Prepare
    const env = obj(props().environmentVariables, 'environmentVariables');

    // Assess
    expect(props().role).toBe(vars().functionRole);
    expect(env).toMatchObject({
      OSS_SSE_GUARD_POLICY: vars().policyLocation,
      OSS_SSE_GUARD_REPORT: vars().reportLocation,
      DRY_RUN: vars().dryRun,
    });
    expect(Number(props().timeout)).toBeGreaterThanOrEqual(30);
    expect(props().logConfig).toMatchObject({ project: vars().logProject, logstore: vars().logStore });
  });
});

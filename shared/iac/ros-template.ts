/**
 * ROS templates (YAML or JSON, `ROSTemplateFormatVersion: '2015-09-01'`) -> planned buckets: every
 * `ALIYUN::OSS::Bucket` with its `ServerSideEncryptionConfiguration` (`SSEAlgorithm`, `KMSMasterKeyID`,
 * `KMSDataEncryption`), `BucketName` and `Tags`, values resolved by ros-intrinsics. A resource whose
 * `Condition` is false is not created and not judged. Lines come from the YAML parser (JSON is YAML).
 */
import { isMap, isScalar, LineCounter, type ParsedNode, parseDocument } from 'yaml';
import { condition, NO_VALUE, type RosScope, resolve } from './ros-intrinsics.js';
import {
  type IacBucket,
  IacInputError,
  type Known,
  known,
  type PlannedSse,
  parseAlgorithm,
  plannedKms,
  unknown,
} from './types.js';

const BUCKET = 'ALIYUN::OSS::Bucket';
const KMS_KEY = 'ALIYUN::KMS::Key';
const KMS_ALIAS = 'ALIYUN::KMS::Alias';

export interface RosTemplateResult {
  buckets: IacBucket[];
  aliases: Map<string, string>;
  newKeys: Set<string>;
}

const asRecord = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Parses YAML or JSON text with line positions; any parse problem or short-form tag is an input error. */
export function parseTemplateText(
  file: string,
  text: string,
): { data: unknown; lineOf: (key: string) => number | undefined } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: false });
  const problem = doc.errors[0] ?? doc.warnings.find((w) => /tag/i.test(w.message));
  if (problem) {
    const pos = problem.pos?.[0] !== undefined ? lineCounter.linePos(problem.pos[0]) : undefined;
    const where = pos ? `line ${pos.line}: ` : '';
    throw new IacInputError(
      file,
      `${where}${problem.message.split('\n')[0]} (write intrinsic functions in the long form, e.g. {Ref: Name})`,
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new IacInputError(file, (err as Error).message, { cause: err });
  }
  const lineOf = (key: string): number | undefined => {
    const resources = isMap(doc.contents) ? doc.contents.get('Resources', true) : undefined;
    if (!isMap(resources)) return undefined;
    const pair = resources.items.find((p) => isScalar(p.key) && p.key.value === key);
    const range = (pair?.key as ParsedNode | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  return { data, lineOf };
}

/**
 * A property resolved one level: an `Fn::If` whose condition is known becomes its branch (still raw, so
 * each field is resolved on its own), another intrinsic becomes its value, a plain map stays as it is.
 */
function shallow(scope: RosScope, node: unknown): Known<unknown> {
  const keys = typeof node === 'object' && node !== null && !Array.isArray(node) ? Object.keys(node) : [];
  const [fn] = keys;
  if (keys.length !== 1 || !fn || !(fn === 'Ref' || fn.startsWith('Fn::'))) return known(node);
  const args = asRecord(node)[fn];
  if (fn === 'Fn::If' && Array.isArray(args) && typeof args[0] === 'string') {
    const c = condition(scope, args[0]);
    if (c.known) return shallow(scope, c.value ? args[1] : args[2]);
  }
  return resolve(scope, node);
}

/** A key reference: a literal, `Ref` to a KMS key this template creates (a new key), or unknown. */
function keyRef(scope: RosScope, node: unknown): Known<string | undefined> {
  const r = asRecord(node);
  if (typeof r.Ref === 'string' && asRecord(scope.resources[r.Ref]).Type === KMS_KEY)
    return known(`Ref ${r.Ref}`);
  const v = resolve(scope, node);
  if (!v.known) return unknown(v.why);
  return known(typeof v.value === 'string' && v.value !== '' ? v.value : undefined);
}

function plannedSse(scope: RosScope, node: unknown): PlannedSse {
  if (node === undefined) return { kind: 'config', config: null };
  const outer = shallow(scope, node);
  if (!outer.known) return { kind: 'unknown', why: outer.why };
  if (outer.value === NO_VALUE || outer.value === undefined) return { kind: 'config', config: null };
  const props = asRecord(outer.value);
  const alg = resolve(scope, props.SSEAlgorithm);
  if (!alg.known) return { kind: 'unknown', why: alg.why };
  const algorithm = parseAlgorithm(alg.value);
  if (!algorithm) return { kind: 'config', config: null };
  if (algorithm !== 'KMS') return { kind: 'config', config: { algorithm } };
  const kmsKeyId = keyRef(scope, props.KMSMasterKeyID);
  const data = resolve(scope, props.KMSDataEncryption);
  const kmsDataEncryption: Known<'SM4' | undefined> = data.known
    ? known(data.value === 'SM4' ? 'SM4' : undefined)
    : unknown(data.why);
  return plannedKms(kmsKeyId, kmsDataEncryption);
}

/** Tags as ROS gives them: a map, or a list of `{Key, Value}`. */
function tagsOf(scope: RosScope, node: unknown): Known<Record<string, string>> {
  if (node === undefined) return known({});
  const v = resolve(scope, node);
  if (!v.known) return unknown(v.why);
  if (Array.isArray(v.value)) {
    return known(
      Object.fromEntries(v.value.map((t) => [String(asRecord(t).Key), String(asRecord(t).Value ?? '')])),
    );
  }
  return known(Object.fromEntries(Object.entries(asRecord(v.value)).map(([k, x]) => [k, String(x)])));
}

export function parseRosTemplate(
  file: string,
  data: Record<string, unknown>,
  lineOf: (key: string) => number | undefined,
  given: ReadonlyMap<string, string>,
): RosTemplateResult {
  if (data.ROSTemplateFormatVersion !== '2015-09-01') {
    throw new IacInputError(
      file,
      `ROSTemplateFormatVersion "${String(data.ROSTemplateFormatVersion)}" is not supported; expected '2015-09-01'`,
    );
  }
  const scope: RosScope = {
    parameters: asRecord(data.Parameters),
    conditions: asRecord(data.Conditions),
    resources: asRecord(data.Resources),
    given,
  };
  const region: Known<string> = given.has('ALIYUN::Region')
    ? known(given.get('ALIYUN::Region') as string)
    : unknown("is the stack's region, known when it is created (--parameter ALIYUN::Region=REGION)");
  const buckets: IacBucket[] = [];
  const aliases = new Map<string, string>();
  const newKeys = new Set<string>();
  for (const [id, raw] of Object.entries(scope.resources)) {
    const res = asRecord(raw);
    const props = asRecord(res.Properties);
    const notes: string[] = [];
    if (typeof res.Condition === 'string') {
      const c = condition(scope, res.Condition);
      if (c.known && !c.value) continue;
      if (!c.known)
        notes.push(`created only if condition ${res.Condition} holds (${c.why}); judged as if created`);
    }
    if (res.Type === KMS_KEY) newKeys.add(`Ref ${id}`);
    if (res.Type === KMS_ALIAS) {
      const name = resolve(scope, props.AliasName);
      const key = keyRef(scope, props.KeyId);
      if (name.known && typeof name.value === 'string' && key.known && key.value)
        aliases.set(name.value, key.value);
    }
    if (res.Type !== BUCKET) continue;
    const name = resolve(scope, props.BucketName);
    const line = lineOf(id);
    buckets.push({
      file,
      source: 'ros-template',
      address: id,
      resourceType: BUCKET,
      ...(line !== undefined ? { line } : {}),
      name: name.known ? known(String(name.value)) : unknown(name.why),
      region,
      tags: tagsOf(scope, props.Tags),
      sse: plannedSse(scope, props.ServerSideEncryptionConfiguration),
      notes,
    });
  }
  return { buckets, aliases, newKeys };
}

/**
 * `JSON.stringify(value, null, 2)` as a sequence of pieces, pure. A 100,000-bucket report is about 36 MB
 * of JSON; written piece by piece, no whole text (nor a Buffer copy of it) is ever held. Arrays are
 * streamed an element at a time down to a few levels (findings, drift lists, alert records); objects only
 * near the top; anything deeper is one `JSON.stringify` call, re-indented. Joined, the pieces are exactly
 * what `JSON.stringify(value, null, 2)` returns (key order, `toJSON`, omitted `undefined` properties and
 * `null` for `undefined` array elements included).
 */

/** Containers deeper than this are stringified whole (a finding, a drift entry: a few hundred bytes). */
const STREAM_ARRAYS_ABOVE = 3;
const STREAM_OBJECTS_ABOVE = 2;

type Json = Record<string, unknown> | unknown[];

/** The value JSON.stringify serialises for `key`: the result of `toJSON` when there is one. */
function jsonValue(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return (toJSON as (k: string) => unknown).call(value, key);
  }
  return value;
}

/** Whether JSON.stringify leaves this value out of an object (and writes `null` for it in an array). */
const omitted = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/**
 * Whether the value is a container worth streaming at this depth. Only arrays and plain objects: anything
 * else (a boxed primitive, a Map) is left to JSON.stringify, which knows its rules.
 */
function streamable(v: unknown, depth: number): v is Json {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return depth < STREAM_ARRAYS_ABOVE;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && depth < STREAM_OBJECTS_ABOVE;
}

/** One value at `depth`, whose first line is already indented by the caller. */
function* valueChunks(v: unknown, depth: number): Generator<string> {
  if (streamable(v, depth)) {
    yield* containerChunks(v, depth);
    return;
  }
  const text = JSON.stringify(v, null, 2);
  // JSON escapes line breaks inside strings, so every "\n" here is layout: indent it to this depth.
  yield depth === 0 ? text : text.replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

function* containerChunks(v: Json, depth: number): Generator<string> {
  const inner = '  '.repeat(depth + 1);
  let first = true;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      yield '[]';
      return;
    }
    for (let i = 0; i < v.length; i += 1) {
      const item = jsonValue(v[i], String(i));
      yield `${first ? '[' : ','}\n${inner}`;
      first = false;
      yield* valueChunks(omitted(item) ? null : item, depth + 1);
    }
    yield `\n${'  '.repeat(depth)}]`;
    return;
  }
  for (const key of Object.keys(v)) {
    const item = jsonValue(v[key], key);
    if (omitted(item)) continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* valueChunks(item, depth + 1);
  }
  yield first ? '{}' : `\n${'  '.repeat(depth)}}`;
}

/**
 * The pieces of `JSON.stringify(value, null, 2)`. A value JSON cannot represent at the top (undefined, a
 * function) yields nothing, where JSON.stringify returns undefined.
 */
export function* jsonChunks(value: unknown): Generator<string> {
  const v = jsonValue(value, '');
  if (omitted(v)) return;
  yield* valueChunks(v, 0);
}

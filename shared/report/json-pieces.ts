/**
 * JSON text parsed as it arrives in pieces, pure: the reading side of json-chunks.ts. A previous report
 * (`latest.json`, ~36 MB at 100,000 buckets) is parsed without ever holding its whole text, nor a second
 * copy of its values: the few containers near the top are built here, and each value below them (a
 * finding, a drift entry) is one `JSON.parse` of its own text, handed to `revive` as soon as it is
 * complete, so a caller can validate and replace it before the next one arrives. The result equals
 * `JSON.parse` of the whole text (own `__proto__` keys and duplicate keys included); invalid JSON throws.
 */

/** A key or index from the root to a value. */
export type JsonPath = ReadonlyArray<string | number>;

/** Called once per value, innermost first (root last, with `[]`); what it returns is kept instead. */
export type JsonReviver = (path: JsonPath, value: unknown) => unknown;

/** Containers nearer the root than this are built piece by piece; the writer streams the same ones. */
const BUILD_ARRAYS_ABOVE = 3;
const BUILD_OBJECTS_ABOVE = 2;

type FrameState = 'first' | 'key' | 'colon' | 'value' | 'comma';
interface Frame {
  value: Record<string, unknown> | unknown[];
  path: JsonPath;
  state: FrameState;
  key: string;
}

/** A value being collected as text: a string, a deeper container, or a number / true / false / null. */
interface Leaf {
  kind: 'string' | 'nested' | 'scalar';
  parts: string[];
  depth: number;
  inString: boolean;
  escaped: boolean;
  isKey: boolean;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const endsScalar = (c: number) => isSpace(c) || c === 0x2c || c === 0x5d || c === 0x7d; // , ] }

export class JsonPieceParser {
  private readonly stack: Frame[] = [];
  private leaf: Leaf | undefined;
  private root: { value: unknown } | undefined;
  /** Characters parsed in earlier pieces (for error positions). */
  private offset = 0;
  /** Where the current leaf starts in the piece being parsed (0 once it carries over from an earlier one). */
  private start = 0;

  constructor(private readonly revive: JsonReviver = (_path, value) => value) {}

  /** Parses the next piece of text. */
  write(text: string): void {
    let i = 0;
    while (i < text.length) {
      if (this.leaf) {
        i = this.continueLeaf(text, i, this.leaf);
        continue;
      }
      const c = text.charCodeAt(i);
      if (isSpace(c)) {
        i += 1;
        continue;
      }
      i = this.structural(i, c);
    }
    if (this.leaf) this.leaf.parts.push(text.slice(this.start));
    this.offset += text.length;
    this.start = 0;
  }

  /** Ends the text; returns the parsed (and revived) value. Throws when the text was not one JSON value. */
  end(): unknown {
    if (this.leaf?.kind === 'scalar') this.finishLeaf(this.leaf.parts.join(''));
    if (this.leaf || this.stack.length > 0 || !this.root) throw this.error('unexpected end of JSON text');
    return this.root.value;
  }

  private error(message: string, at?: number): SyntaxError {
    return new SyntaxError(at === undefined ? message : `${message} at position ${this.offset + at}`);
  }

  /** Handles one non-space character outside a leaf; returns the next index. */
  private structural(i: number, c: number): number {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      if (this.root) throw this.error('unexpected text after the JSON value', i);
      return this.startValue(i, c, false);
    }
    const closes = Array.isArray(top.value) ? 0x5d : 0x7d;
    switch (top.state) {
      case 'first':
        if (c === closes) return this.close(i);
        return Array.isArray(top.value) ? this.startValue(i, c, false) : this.startKey(i, c);
      case 'key':
        return this.startKey(i, c);
      case 'colon':
        if (c !== 0x3a) throw this.error('expected ":"', i);
        top.state = 'value';
        return i + 1;
      case 'value':
        return this.startValue(i, c, false);
      case 'comma':
        if (c === closes) return this.close(i);
        if (c !== 0x2c) throw this.error('expected "," or the end of the container', i);
        top.state = Array.isArray(top.value) ? 'value' : 'key';
        return i + 1;
    }
  }

  private startKey(i: number, c: number): number {
    if (c !== 0x22) throw this.error('expected a property name', i);
    return this.startValue(i, c, true);
  }

  private startValue(i: number, c: number, isKey: boolean): number {
    const depth = this.stack.length;
    if (!isKey && c === 0x7b && depth < BUILD_OBJECTS_ABOVE) return this.open({}, i);
    if (!isKey && c === 0x5b && depth < BUILD_ARRAYS_ABOVE) return this.open([], i);
    const kind = c === 0x22 ? 'string' : c === 0x7b || c === 0x5b ? 'nested' : 'scalar';
    this.leaf = {
      kind,
      parts: [],
      depth: kind === 'nested' ? 1 : 0,
      inString: kind === 'string',
      escaped: false,
      isKey,
    };
    this.start = i;
    return kind === 'scalar' ? i : i + 1;
  }

  private open(value: Frame['value'], i: number): number {
    const parent = this.stack[this.stack.length - 1];
    const path = parent
      ? [...parent.path, Array.isArray(parent.value) ? parent.value.length : parent.key]
      : [];
    this.stack.push({ value, path, state: 'first', key: '' });
    return i + 1;
  }

  private close(i: number): number {
    const frame = this.stack.pop() as Frame;
    this.attach(frame.value);
    return i + 1;
  }

  /** Scans a leaf from `i`; returns the index after it, or the end of the piece when it goes on. */
  private continueLeaf(text: string, i: number, leaf: Leaf): number {
    for (let j = i; j < text.length; j += 1) {
      const c = text.charCodeAt(j);
      if (leaf.kind === 'scalar') {
        if (!endsScalar(c)) continue;
        this.finishLeaf(leaf.parts.join('') + text.slice(this.start, j));
        return j;
      }
      if (leaf.inString) {
        if (leaf.escaped) leaf.escaped = false;
        else if (c === 0x5c) leaf.escaped = true;
        else if (c === 0x22) {
          leaf.inString = false;
          if (leaf.kind === 'string') return this.completeLeaf(text, j, leaf);
        }
      } else if (c === 0x22) leaf.inString = true;
      else if (c === 0x7b || c === 0x5b) leaf.depth += 1;
      else if ((c === 0x7d || c === 0x5d) && --leaf.depth === 0) return this.completeLeaf(text, j, leaf);
    }
    return text.length;
  }

  private completeLeaf(text: string, last: number, leaf: Leaf): number {
    this.finishLeaf(leaf.parts.join('') + text.slice(this.start, last + 1));
    return last + 1;
  }

  private finishLeaf(source: string): void {
    const leaf = this.leaf as Leaf;
    this.leaf = undefined;
    const value: unknown = JSON.parse(source);
    const top = this.stack[this.stack.length - 1];
    if (leaf.isKey && top) {
      top.key = value as string;
      top.state = 'colon';
      return;
    }
    this.attach(value);
  }

  /** Puts a complete value in its place, revived. */
  private attach(value: unknown): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      this.root = { value: this.revive([], value) };
      return;
    }
    top.state = 'comma';
    if (Array.isArray(top.value)) {
      top.value.push(this.revive([...top.path, top.value.length], value));
      return;
    }
    const revived = this.revive([...top.path, top.key], value);
    // As JSON.parse: "__proto__" is an own property, never the object's prototype.
    Object.defineProperty(top.value, top.key, {
      value: revived,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
}

/**
 * Globs for bucket names, regions and object keys, compiled to a small automaton instead of a regular
 * expression. Why not picomatch: it is built for file paths, so `**` refuses keys with `..` or `.`
 * segments and line terminators (newline, U+2028), which lets an uploader name objects out of the guard's
 * reach; and its backtracking regular expressions take hours on `*.*.*.*.*.tmp` against a 1,023-character
 * key, past the function's timeout. Here every character of a key is an ordinary character, and matching
 * runs the automaton over the key once: at most (states x characters) steps, whatever the pattern.
 *
 * Syntax (docs/globs.md): `*` any run of characters without `/`; `?` one character other than `/`;
 * `**` as a whole segment any run of characters, `/` included (`a/**` also matches `a`, `** /b` also `b`,
 * `a/** /b` also `a/b`); `[abc]`, `[a-z]`, `[!x]` / `[^x]` one character of a class (never `/`);
 * `{a,b}` alternatives (nested allowed); `\` escapes the next character. Refused with a reason: extglobs
 * (`@(..)`, `!(..)`, `+(..)`, `*(..)`, `?(..)`), a leading `!`, POSIX classes, `{1..3}` ranges,
 * unbalanced brackets or braces.
 */

/** A glob that cannot be used; the message says what and where. */
export class GlobSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GlobSyntaxError';
  }
}

type Test = (c: string) => boolean;
type Node =
  | { t: 'char'; test: Test }
  | { t: 'star'; slash: boolean }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; branches: Node[] }
  | { t: 'opt'; body: Node };

/** One automaton state: a character test leading to `next`, and epsilon edges. */
interface State {
  test?: Test;
  next?: number;
  eps: number[];
}

/** A compiled glob: states 0..n-1, start 0, accepting `accept`. */
export interface CompiledGlob {
  states: State[];
  accept: number;
  /** A pattern without wildcards matches only itself: compared as a string. */
  literal?: string;
}

const MAX_DEPTH = 10;
const notSlash: Test = (c) => c !== '/';

class Parser {
  private i = 0;
  private literal = true;
  private text = '';
  constructor(private readonly p: string) {}

  parse(): { node: Node; literal: string | undefined } {
    if (this.p.startsWith('!')) {
      throw new GlobSyntaxError('a leading "!" (negation) is not supported; list the pattern under exclude');
    }
    const node = this.seq(0, false);
    if (this.i < this.p.length) throw new GlobSyntaxError(`unexpected "${this.p[this.i]}" at ${this.i + 1}`);
    return { node, literal: this.literal ? this.text : undefined };
  }

  /** A sequence up to the end, or (inside braces) up to `,` or `}`. */
  private seq(depth: number, inBraces: boolean): Node {
    const items: Node[] = [];
    const p = this.p;
    while (this.i < p.length) {
      const c = p[this.i] as string;
      if (inBraces && (c === ',' || c === '}')) break;
      if ('@!+*?'.includes(c) && p[this.i + 1] === '(') {
        throw new GlobSyntaxError(`extglob "${c}(" at ${this.i + 1} is not supported`);
      }
      if (c === '\\') {
        const next = p[this.i + 1];
        if (next === undefined) throw new GlobSyntaxError('ends with a lone "\\"');
        items.push(lit(next));
        this.text += next;
        this.i += 2;
      } else if (c === '*') {
        this.star(items);
      } else if (c === '?') {
        this.literal = false;
        items.push({ t: 'char', test: notSlash });
        this.i += 1;
      } else if (c === '[') {
        items.push(this.charClass());
      } else if (c === '{') {
        items.push(this.braces(depth));
      } else if (c === '}' || c === ']') {
        throw new GlobSyntaxError(`unbalanced "${c}" at ${this.i + 1}; escape it as \\${c}`);
      } else {
        // Whole code points, so `?` and classes see one character where a key has one.
        const cp = String.fromCodePoint(p.codePointAt(this.i) as number);
        items.push(lit(cp));
        this.text += cp;
        this.i += cp.length;
      }
    }
    return { t: 'seq', items };
  }

  /** `*`, or `**`: a globstar when it is a whole segment, else the same as `*`. */
  private star(items: Node[]): void {
    const p = this.p;
    const start = this.i;
    while (p[this.i] === '*') this.i += 1;
    this.literal = false;
    const before = start === 0 ? '' : p[start - 1];
    const after = p[this.i];
    const wholeSegment =
      this.i - start >= 2 && (before === '' || before === '/') && (after === undefined || after === '/');
    if (!wholeSegment || (before === '/' && p[start - 2] === '\\')) {
      items.push({ t: 'star', slash: false });
      return;
    }
    const any: Node = { t: 'star', slash: true };
    if (after === '/') {
      // `**/x` and `a/**/x`: nothing, or anything that ends with `/`.
      this.i += 1;
      items.push({ t: 'opt', body: { t: 'seq', items: [any, lit('/')] } });
    } else if (before === '/') {
      // `a/**`: `a`, `a/`, `a/...` (the slash already read becomes optional with the rest).
      items.pop();
      items.push({ t: 'opt', body: { t: 'seq', items: [lit('/'), any] } });
    } else items.push(any);
  }

  private charClass(): Node {
    const p = this.p;
    const open = this.i;
    this.i += 1;
    let negated = false;
    if (p[this.i] === '!' || p[this.i] === '^') {
      negated = true;
      this.i += 1;
    }
    const ranges: Array<[number, number]> = [];
    let first = true;
    while (this.i < p.length && (p[this.i] !== ']' || first)) {
      first = false;
      if (p.startsWith('[:', this.i))
        throw new GlobSyntaxError(`POSIX class at ${this.i + 1} is not supported`);
      const lo = this.classChar();
      if (p[this.i] === '-' && p[this.i + 1] !== ']' && this.i + 1 < p.length) {
        this.i += 1;
        const hi = this.classChar();
        if (hi < lo) throw new GlobSyntaxError(`range at ${open + 1} runs backwards`);
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
    if (p[this.i] !== ']') throw new GlobSyntaxError(`"[" at ${open + 1} is not closed`);
    this.i += 1;
    this.literal = false;
    const inRanges = (c: string) => {
      const code = c.codePointAt(0) as number;
      return ranges.some(([lo, hi]) => code >= lo && code <= hi);
    };
    return { t: 'char', test: (c) => c !== '/' && inRanges(c) !== negated };
  }

  private classChar(): number {
    const p = this.p;
    if (p[this.i] === '\\' && this.i + 1 < p.length) this.i += 1;
    const code = p.codePointAt(this.i) as number;
    this.i += String.fromCodePoint(code).length;
    return code;
  }

  private braces(depth: number): Node {
    const open = this.i;
    if (depth >= MAX_DEPTH) throw new GlobSyntaxError(`braces nested more than ${MAX_DEPTH} deep`);
    if (/^\{[^{},]*\.\.[^{},]*\}/.test(this.p.slice(open))) {
      throw new GlobSyntaxError(`range "{..}" at ${open + 1} is not supported; list the values {a,b,c}`);
    }
    this.i += 1;
    this.literal = false;
    const branches: Node[] = [this.seq(depth + 1, true)];
    while (this.p[this.i] === ',') {
      this.i += 1;
      branches.push(this.seq(depth + 1, true));
    }
    if (this.p[this.i] !== '}') throw new GlobSyntaxError(`"{" at ${open + 1} is not closed`);
    this.i += 1;
    return { t: 'alt', branches };
  }
}

function lit(ch: string): Node {
  return { t: 'char', test: (c) => c === ch };
}

/** Thompson construction: appends `node`'s states, entering at `from`; returns the state it leaves at. */
function build(states: State[], node: Node, from: number): number {
  const fresh = (): number => states.push({ eps: [] }) - 1;
  switch (node.t) {
    case 'char': {
      const to = fresh();
      Object.assign(states[from] as State, { test: node.test, next: to });
      return to;
    }
    case 'star': {
      // Loop on `from` (a state may carry one test and epsilons), then leave by epsilon.
      const loop = fresh();
      (states[from] as State).eps.push(loop);
      Object.assign(states[loop] as State, { test: node.slash ? () => true : notSlash, next: loop });
      const to = fresh();
      (states[loop] as State).eps.push(to);
      return to;
    }
    case 'seq':
      return node.items.reduce((at, item) => build(states, item, at), from);
    case 'alt': {
      const to = fresh();
      for (const branch of node.branches) {
        const start = fresh();
        (states[from] as State).eps.push(start);
        (states[build(states, branch, start)] as State).eps.push(to);
      }
      return to;
    }
    case 'opt': {
      const start = fresh();
      (states[from] as State).eps.push(start);
      const end = build(states, node.body, start);
      const to = fresh();
      (states[from] as State).eps.push(to);
      (states[end] as State).eps.push(to);
      return to;
    }
  }
}

/** Compiles a glob; throws `GlobSyntaxError` naming what is not supported. */
export function compileGlob(pattern: string): CompiledGlob {
  const { node, literal } = new Parser(pattern).parse();
  const states: State[] = [{ eps: [] }];
  const accept = build(states, node, 0);
  return { states, accept, ...(literal !== undefined ? { literal } : {}) };
}

/** Runs the automaton over `value`: whether it matches, and how many state steps that took. */
export function runGlob(g: CompiledGlob, value: string): { matched: boolean; steps: number } {
  if (g.literal !== undefined) return { matched: g.literal === value, steps: 1 };
  const n = g.states.length;
  let current = new Uint8Array(n);
  let steps = 0;
  const stack: number[] = [];
  const close = (set: Uint8Array, s: number) => {
    if (set[s]) return;
    set[s] = 1;
    stack.push(s);
    while (stack.length > 0) {
      const x = stack.pop() as number;
      for (const e of (g.states[x] as State).eps) {
        if (!set[e]) {
          set[e] = 1;
          stack.push(e);
        }
      }
    }
  };
  close(current, 0);
  for (const ch of value) {
    const next = new Uint8Array(n);
    let alive = false;
    for (let s = 0; s < n; s++) {
      if (!current[s]) continue;
      steps += 1;
      const st = g.states[s] as State;
      if (st.test && st.next !== undefined && st.test(ch)) {
        close(next, st.next);
        alive = true;
      }
    }
    if (!alive) return { matched: false, steps };
    current = next;
  }
  return { matched: current[g.accept] === 1, steps };
}

/**
 * Glob matching for bucket names, regions and object keys, with compiled globs cached. Matching is
 * linear in the value's length (see glob-compile.ts for why this is not picomatch, and for the syntax).
 */
import { type CompiledGlob, compileGlob, runGlob } from './glob-compile.js';

export { GlobSyntaxError } from './glob-compile.js';

/** Compiled globs by pattern; bounded, so a stream of distinct patterns cannot grow it without end. */
const compiled = new Map<string, CompiledGlob>();
const MAX_CACHED = 10_000;

function compiledGlob(pattern: string): CompiledGlob {
  let g = compiled.get(pattern);
  if (!g) {
    g = compileGlob(pattern);
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(pattern, g);
  }
  return g;
}

/** Whether any of `patterns` matches `value`; every character of `value` is ordinary (no hidden files). */
export function globMatch(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => runGlob(compiledGlob(p), value).matched);
}

/** The same for one pattern, with the number of automaton steps taken (bounded by states x length). */
export function globMatchSteps(
  pattern: string,
  value: string,
): { matched: boolean; steps: number; states: number } {
  const g = compiledGlob(pattern);
  return { ...runGlob(g, value), states: g.states.length };
}

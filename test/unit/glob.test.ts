/**
 * The glob matcher (shared/policy/glob-compile.ts): the picomatch semantics policies rely on (`*` within a
 * segment, `**` across them, `a/**` matching `a`), every key character ordinary (dots, line terminators),
 * the syntax it refuses, and matching in a bounded number of automaton steps.
 */
import { describe, expect, it } from 'vitest';
import { globMatch, globMatchSteps } from '../../shared/policy/glob.js';
import { compileGlob, GlobSyntaxError } from '../../shared/policy/glob-compile.js';

const CASES: Array<[string, string, boolean]> = [
  ['prod-*', 'prod-logs', true],
  ['prod-*', 'prodlogs', false],
  ['*', 'a/b', false],
  ['tmp/**', 'tmp', true],
  ['tmp/**', 'tmp/a/b', true],
  ['tmp/**', 'tmpx/a', false],
  ['**/*.partial', 'a.partial', true],
  ['**/*.partial', 'x/y/a.partial', true],
  ['a/**/b', 'a/b', true],
  ['a/**/b', 'a/x/y/b', true],
  ['a**b', 'ax/xb', false],
  ['**', 'a/../b', true],
  ['**', '..', true],
  ['**', 'x\ny', true],
  ['**', 'x\u2028y', true],
  ['data/*', 'data/.hidden', true],
  ['cn-?angzhou', 'cn-hangzhou', true],
  ['prod-[abc]', 'prod-b', true],
  ['prod-[!abc]', 'prod-b', false],
  ['prod-[a-c]x', 'prod-bx', true],
  ['{logs,audit}-*', 'audit-1', true],
  ['{logs,{a,b}c}-*', 'bc-1', true],
  ['\\*literal', '*literal', true],
  ['\\*literal', 'xliteral', false],
  ['exact', 'exact', true],
  ['exact', 'exactly', false],
];

describe('globs', () => {
  it.each(CASES)('%s against %j is %s', (pattern, value, expected) => {
    // Act
    const matched = globMatch([pattern], value);

    // Assess
    expect(matched).toBe(expected);
  });

  it.each([
    ['@(a|b)', /extglob/],
    ['!x', /negation/],
    ['[[:alpha:]]', /POSIX class/],
    ['{1..3}', /range/],
    ['{a,b', /not closed/],
    ['[ab', /not closed/],
    ['a}', /unbalanced/],
    ['[b-a]', /backwards/],
    ['a\\', /lone/],
  ])('refuses %s with a reason', (pattern, reason) => {
    // Act
    const attempt = () => compileGlob(pattern);

    // Assess
    expect(attempt).toThrow(GlobSyntaxError);
    expect(attempt).toThrow(reason);
  });

  it('matches a 1,023-character key against nested stars in at most states x characters steps', () => {
    // Prepare
    const key = `${'a.'.repeat(511)}x`;
    const patterns = ['*.*.*.*.*.tmp', '**/**/**/**/*.tmp', '{*.,**.}{*,**}.{a,b}*.*.*x', '*a*a*a*a*a*a*a*b'];

    // Act
    const runs = patterns.map((p) => globMatchSteps(p, key));

    // Assess
    for (const r of runs) expect(r.steps).toBeLessThanOrEqual(r.states * key.length);
    expect(runs.map((r) => r.matched)).toEqual([false, false, true, false]);
  });
});

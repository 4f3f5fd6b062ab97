/** Glob matching for bucket names, regions and object keys, with compiled matchers cached. */
import picomatch from 'picomatch';

const matchers = new Map<string, (s: string) => boolean>();

/**
 * Whether any of `patterns` matches `value`. `dot: true`: keys such as `.well-known/x` or `logs/.tmp` are
 * ordinary object names here, not hidden files.
 */
export function globMatch(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => {
    let m = matchers.get(p);
    if (!m) {
      m = picomatch(p, { dot: true });
      matchers.set(p, m);
    }
    return m(value);
  });
}

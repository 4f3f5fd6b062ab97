/**
 * Text from outside (bucket names, object keys, policy keys and paths, OSS error messages, exemption
 * reasons, a previous report) made safe to echo: on a terminal an escape sequence can clear the screen
 * and draw a fake "ALL COMPLIANT", and a newline in a key can forge a problem line of its own. Every
 * control character (C0, DEL, C1), the line and paragraph separators and the bidirectional overrides
 * become a visible `\uXXXX` (or `\n`, `\t`...), so what is printed is one line that says what was there.
 * Imports nothing: any module may use it.
 */

// C0 controls, DEL, C1 controls, U+2028/2029, bidi embeddings/overrides/isolates, BOM.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/** Whether `s` holds a character that `escapeControl` would rewrite. */
export function hasControl(s: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(s);
  UNSAFE.lastIndex = 0;
  return found;
}

/** `s` with every control, separator and bidi character written as a visible escape. */
export function escapeControl(s: string): string {
  return s.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

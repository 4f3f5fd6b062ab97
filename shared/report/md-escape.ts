/**
 * Markdown made from untrusted text (bucket names, OSS error messages, exemption reasons, a previous
 * report's fields, the policy path): it must read as the text it is, never as HTML (`<script>`,
 * `<img onerror>`), a link (`[x](javascript:...)`, `<javascript:...>`), a remote image (`![](https://...)`)
 * or a broken table. HTML's special characters become entities, the Markdown characters that start links,
 * images, emphasis, code and table cells are backslash-escaped (CommonMark "Backslash escapes": any ASCII
 * punctuation may be), and control characters are written visibly (safe-text.ts).
 */
import { escapeControl } from '../safe-text.js';

// `<` is what opens a tag or an autolink; `&` an entity. A lone `>` mid-line (`a -> b`) is plain text.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;' };

/** Text for a Markdown paragraph or table cell: one line, no markup. */
export function mdText(value: string): string {
  return escapeControl(value.replace(/\r\n|[\r\n\u2028\u2029]/g, ' '))
    .replace(/[&<]/g, (c) => ENTITIES[c] as string)
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}

/**
 * A code span holding `value` literally (CommonMark "Code spans"): fenced by one more backtick than the
 * longest run inside, padded with spaces when it starts or ends with a backtick. Inside a table, `|` is
 * still a cell separator (GFM), so it is escaped; HTML is not interpreted inside a code span.
 */
export function mdCode(value: string, inTable = false): string {
  let text = escapeControl(value.replace(/\r\n|[\r\n\u2028\u2029]/g, ' '));
  if (inTable) text = text.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * Text from input (documents, file names) shown back to people. SPEC §8: no problem message
 * quotes more than a short, scrubbed excerpt of a document, and terminal control bytes from
 * input are never printed raw.
 *
 * Two functions, two jobs:
 * - `quote`/`clip` shape a value for a problem message: short (EXCERPT_MAX), control and
 *   direction-changing characters escaped. Every message that shows document content goes
 *   through them; a Secret's values are never shown at all (manifests/report.ts).
 * - `escapeControl` makes any finished text safe for a terminal (the CLI's print boundary,
 *   log lines): it escapes what a terminal would act on, and the invisible characters that
 *   reorder text, and keeps the rest byte for byte.
 */

/** Most characters an excerpt may take, quotes and ellipsis included. */
export const EXCERPT_MAX = 40;

const ELLIPSIS = '…';

/**
 * C0 controls, DEL, C1 controls (U+0080–U+009F: 8-bit CSI, OSC, … which some terminals act
 * on even when UTF-8 encoded), the Unicode line and paragraph separators, and the bidirectional
 * formatting characters that reorder what is displayed ("Trojan Source").
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_EXCERPT = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

// eslint-disable-next-line no-control-regex
const UNSAFE_IN_EXCERPT_G = new RegExp(UNSAFE_IN_EXCERPT.source, 'g');

/**
 * What the print boundary escapes: what a terminal acts on (C0 controls but newline and tab,
 * DEL, C1 controls), and what reorders or breaks what a reader sees without being visible
 * itself: the bidirectional formatting characters (U+061C, U+200E/U+200F, U+202A–U+202E,
 * U+2066–U+2069, "Trojan Source": `describe` showed a name with U+202E reversed) and the Unicode
 * line and paragraph separators. Always, not only on a TTY: output sent to a file or a CI log is
 * read later in a terminal, a pager or a browser, and one command's output should not depend
 * on where it goes. All of these can only stand inside strings of berth's JSON, where the
 * `\uXXXX` escape means the same; the YAML renderer double-quotes strings holding them
 * (cli/output/kube-objects.ts) so it means the same there too.
 */
// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function hex4(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

function escapeChar(c: string, quoted: boolean): string {
  if (c === '\n') return '\\n';
  if (c === '\t') return '\\t';
  if (c === '\r') return '\\r';
  if (quoted && (c === '"' || c === '\\')) return `\\${c}`;
  return UNSAFE_IN_EXCERPT.test(c) ? hex4(c) : c;
}

/** Escapes `text` character by character and stops before `max` characters, ending in an ellipsis. */
function bounded(text: string, max: number, quoted: boolean): string {
  let out = '';
  let i = 0;
  for (const c of text) {
    const e = escapeChar(c, quoted);
    // Leave room for the ellipsis unless this is the last character.
    const last = i + c.length >= text.length;
    if (out.length + e.length > (last ? max : max - ELLIPSIS.length)) return out + ELLIPSIS;
    out += e;
    i += c.length;
  }
  return out;
}

/**
 * A value as a problem message quotes it: strings in double quotes, JSON-escaped, other values
 * as JSON; never longer than EXCERPT_MAX characters.
 */
export function quote(value: unknown, max = EXCERPT_MAX): string {
  if (typeof value === 'string') return `"${bounded(value, max - 2, true)}"`;
  return clip(value, max);
}

/** Like quote, without quotes around strings: for names and words set in running text. */
export function clip(value: unknown, max = EXCERPT_MAX): string {
  if (typeof value === 'string') return bounded(value, max, false);
  let text: string;
  try {
    text = value === undefined ? 'undefined' : typeof value === 'bigint' ? `${value}` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return bounded(text, max, false);
}

/** Names from input as a message lists them: each clipped, at most `max` shown, the rest counted. */
export function clipList(values: Iterable<unknown>, max = 8): string {
  const all = [...values];
  const shown = all.slice(0, max).map((v) => clip(v));
  return all.length > max ? `${shown.join(', ')} and ${all.length - max} more` : shown.join(', ');
}

/**
 * A whole string in double quotes with the characters quote() escapes escaped, not shortened:
 * for locators (JSON paths of problems) that must stay exact.
 */
export function quoteExact(text: string): string {
  return `"${bounded(text, Number.POSITIVE_INFINITY, true)}"`;
}

/** A finished message with anything a terminal or a reader could be fooled by escaped (the Reporter's last line of defence). */
export function scrubMessage(text: string): string {
  return text.replace(UNSAFE_IN_EXCERPT_G, (c) => escapeChar(c, false));
}

/**
 * Escapes the characters a terminal would act on (ESC-led ANSI and OSC sequences, 8-bit
 * controls, carriage returns, backspaces) and the bidirectional and line-separator characters
 * (TERMINAL_CONTROL) as `\uXXXX`, keeping newlines and tabs. Everything
 * else is unchanged, so text without controls passes as is and the function is idempotent.
 * The escape is JSON's, so JSON text stays valid and means the same after it.
 */
export function escapeControl(text: string): string {
  return text.replace(TERMINAL_CONTROL, hex4);
}

/** Does `text` hold a character escapeControl would escape? (For tests and assertions.) */
export function hasTerminalControl(text: string): boolean {
  return text.search(TERMINAL_CONTROL) >= 0;
}

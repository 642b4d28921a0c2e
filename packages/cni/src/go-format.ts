// Small helpers that reproduce Go's text formatting where it reaches users (messages, logs, stdout JSON).

/**
 * Go's strconv.Quote (the `%q` verb) for valid UTF-16 text: backslash escapes for `"` and `\`, C escapes for
 * \a \b \f \n \r \t \v, `\xNN` for other ASCII control characters and DEL, `\uNNNN` for the C1 controls and
 * the other non-printing code points JavaScript can name cheaply (line/paragraph separators, BOM, lone
 * surrogates). Printable Unicode is kept as is, as Go does.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += s[i];
    else if (c < 0x20 || c === 0x7f) out += CONTROL_ESCAPES[c] ?? `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      out += s[i]! + s[i + 1]!;
      i++;
    } else if ((c >= 0x80 && c < 0xa0) || c === 0xad || c === 0x2028 || c === 0x2029 || c === 0xfeff) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += s[i];
  }
  return `${out}"`;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

const CONTROL_ESCAPES: Record<number, string> = {
  7: '\\a',
  8: '\\b',
  12: '\\f',
  10: '\\n',
  13: '\\r',
  9: '\\t',
  11: '\\v',
};

/** Go's `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(items: readonly string[]): string {
  return `[${items.map(goQuote).join(' ')}]`;
}

const HTML_UNSAFE = /[<>&\u2028\u2029]/g;

/**
 * JSON text as Go's json.MarshalIndent(v, "", "    ") prints it: four-space indent and the HTML-safe escapes
 * Go applies to `<`, `>`, `&`, U+2028 and U+2029 (these characters can only occur inside strings, so the
 * replacement on the serialized text is exact).
 */
export function goIndentJson(value: unknown): string {
  return escapeHtml(JSON.stringify(value, null, 4));
}

/** Compact JSON as Go's json.Encoder.Encode prints it (HTML-safe escapes, trailing newline). */
export function goEncodeJson(value: unknown): string {
  return `${escapeHtml(JSON.stringify(value))}\n`;
}

function escapeHtml(text: string): string {
  return text.replace(HTML_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

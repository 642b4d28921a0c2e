import { describe, expect, it } from 'vitest';
import { goEncodeJson, goIndentJson, goQuote, goQuoteList } from './go-format.js';

describe('goQuote (Go %q)', () => {
  it.each([
    ['abc', '"abc"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\n\t\r\x07\b\f\v', '"\\n\\t\\r\\a\\b\\f\\v"'],
    ['\x00\x1f\x7f', '"\\x00\\x1f\\x7f"'],
    ['\u0085\u00ad', '"\\u0085\\u00ad"'],
    ['héllo ☃ 😀', '"héllo ☃ 😀"'],
    ['\ud800', '"\\ufffd"'],
  ])('%j → %s', (input, quoted) => {
    expect(goQuote(input)).toBe(quoted);
  });
  it('quotes lists like Go prints []string with %q', () => {
    expect(goQuoteList(['a=b', 'c'])).toBe('["a=b" "c"]');
    expect(goQuoteList([])).toBe('[]');
  });
});

describe('Go JSON text', () => {
  it('indents with four spaces and escapes HTML characters', () => {
    expect(goIndentJson({ a: ['<&>'] })).toBe('{\n    "a": [\n        "\\u003c\\u0026\\u003e"\n    ]\n}');
  });
  it('encodes compactly with a trailing newline', () => {
    expect(goEncodeJson({ cniVersion: '1.1.0', s: ['\u2028'] })).toBe('{"cniVersion":"1.1.0","s":["\\u2028"]}\n');
  });
});

import { describe, expect, it } from 'vitest';
import { canonicalize, formatMac, goAtoi, goFoldKey, goParseMac, goQuote } from '../src/go-json.js';

describe('Go encoding/json key folding', () => {
  it('folds ASCII case and the two non-ASCII runes that fold into ASCII', () => {
    expect(goFoldKey('deviceID')).toBe('DEVICEID');
    expect(goFoldKey('ſpoofchk')).toBe('SPOOFCHK');
    expect(goFoldKey('\u212aey')).toBe('KEY');
    expect(goFoldKey('İd')).toBeUndefined();
    expect(goFoldKey('ı')).toBeUndefined();
  });
  it('prefers the exact name, keeps first-seen order, drops unknown keys', () => {
    const out = canonicalize({ B: 1, a: 2, zz: 3 }, { fields: ['a', 'b'] });
    expect(out).toEqual({ b: 1, a: 2 });
    expect(Object.keys(out)).toEqual(['b', 'a']);
  });
});

describe('strconv.Atoi', () => {
  it('accepts a sign and leading zeros, rejects the rest', () => {
    expect(goAtoi('+007')).toEqual({ ok: true, value: 7 });
    expect(goAtoi('-3')).toEqual({ ok: true, value: -3 });
    expect(goAtoi(' 1')).toEqual({ ok: false, error: 'strconv.Atoi: parsing " 1": invalid syntax' });
    expect(goAtoi('')).toEqual({ ok: false, error: 'strconv.Atoi: parsing "": invalid syntax' });
    expect(goAtoi('9223372036854775808')).toEqual({
      ok: false,
      error: 'strconv.Atoi: parsing "9223372036854775808": value out of range',
    });
  });
});

describe('net.ParseMAC', () => {
  it('accepts the colon, dash and dot forms of 6, 8 and 20 octets', () => {
    expect(formatMac(goParseMac('AA:bb:cc:dd:ee:ff')!)).toBe('aa:bb:cc:dd:ee:ff');
    expect(formatMac(goParseMac('aa-bb-cc-dd-ee-ff')!)).toBe('aa:bb:cc:dd:ee:ff');
    expect(formatMac(goParseMac('aabb.ccdd.eeff')!)).toBe('aa:bb:cc:dd:ee:ff');
    expect(goParseMac('00:11:22:33:44:55:66:77')?.length).toBe(8);
    expect(goParseMac(Array(20).fill('01').join(':'))?.length).toBe(20);
  });
  it('rejects mixed separators, wrong lengths and bad digits', () => {
    for (const bad of [
      'aa:bb-cc:dd:ee:ff',
      'aa:bb:cc:dd:ee',
      'aa:bb:cc:dd:ee:gg',
      'aabbccddeeff',
      'a:bb:cc:dd:ee:ff',
    ]) {
      expect(goParseMac(bad), bad).toBeUndefined();
    }
  });
});

it('goQuote escapes like Go %q for ASCII', () => {
  expect(goQuote('a"b\\c\n\u0001')).toBe('"a\\"b\\\\c\\n\\x01"');
});

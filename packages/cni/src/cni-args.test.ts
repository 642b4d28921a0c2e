import { describe, expect, it } from 'vitest';
import { loadArgs, parseCniArgsLenient } from './cni-args.js';

describe('loadArgs (Go types.LoadArgs)', () => {
  it('reads declared keys case-sensitively', () => {
    expect(loadArgs('MAC=ca:fe:c0:ff:ee:00', ['MAC'])).toStrictEqual({
      values: { MAC: 'ca:fe:c0:ff:ee:00' },
      ignoreUnknown: false,
      unknown: [],
    });
    expect(() => loadArgs('mac=x', ['MAC'])).toThrow('ARGS: unknown args ["mac=x"]');
  });
  it('an empty string has no args', () => {
    expect(loadArgs('', ['MAC'])).toStrictEqual({ values: {}, ignoreUnknown: false, unknown: [] });
  });
  it('unknown keys are an error listing every unknown pair', () => {
    expect(() => loadArgs('K8S_POD_NAME=p;MAC=m;K8S_POD_NAMESPACE=ns', ['MAC'])).toThrow(
      'ARGS: unknown args ["K8S_POD_NAME=p" "K8S_POD_NAMESPACE=ns"]',
    );
  });
  it.each(['1', 'true', 'True', 'TRUE'])('IgnoreUnknown=%s lets unknown keys through, in any position', (v) => {
    for (const s of [`IgnoreUnknown=${v};K8S_POD_NAME=p;MAC=m`, `K8S_POD_NAME=p;MAC=m;IgnoreUnknown=${v}`]) {
      expect(loadArgs(s, ['MAC'])).toStrictEqual({
        values: { MAC: 'm' },
        ignoreUnknown: true,
        unknown: ['K8S_POD_NAME=p'],
      });
    }
  });
  it.each(['0', 'false', 'FALSE'])('IgnoreUnknown=%s keeps unknown keys an error', (v) => {
    expect(() => loadArgs(`IgnoreUnknown=${v};X=1`, [])).toThrow('ARGS: unknown args ["X=1"]');
    expect(loadArgs(`IgnoreUnknown=${v}`, [])).toMatchObject({ ignoreUnknown: false });
  });
  it('the last IgnoreUnknown wins', () => {
    expect(() => loadArgs('IgnoreUnknown=1;X=1;IgnoreUnknown=0', [])).toThrow('ARGS: unknown args ["X=1"]');
  });
  it("a bad IgnoreUnknown value is Go's boolean error (lower-cased input)", () => {
    expect(() => loadArgs('IgnoreUnknown=Yes', [])).toThrow(
      'ARGS: error parsing value of pair "IgnoreUnknown=Yes": boolean unmarshal error: invalid input yes',
    );
  });
  it.each([
    ['MAC', 'ARGS: invalid pair "MAC"'],
    ['MAC=a=b', 'ARGS: invalid pair "MAC=a=b"'],
    ['MAC=a;', 'ARGS: invalid pair ""'],
    [';MAC=a', 'ARGS: invalid pair ""'],
    ['IgnoreUnknown=1;;', 'ARGS: invalid pair ""'],
    ['a\nb', 'ARGS: invalid pair "a\\nb"'],
  ])('%j → %s', (s, msg) => {
    expect(() => loadArgs(s, ['MAC'])).toThrow(msg);
  });
  it('accepts empty keys and values as Go does (exactly two parts)', () => {
    expect(loadArgs('MAC=', ['MAC']).values).toStrictEqual({ MAC: '' });
    expect(() => loadArgs('=x', ['MAC'])).toThrow('ARGS: unknown args ["=x"]');
  });
  it('last occurrence of a key wins', () => {
    expect(loadArgs('MAC=a;MAC=b', ['MAC']).values.MAC).toBe('b');
  });
});

describe('parseCniArgsLenient (Multus / CRI-O reading)', () => {
  it('splits on the first "=" and skips empty or key-less segments', () => {
    const m = parseCniArgsLenient('IgnoreUnknown=true;K8S_POD_NAME=web-0;;X=a=b;noeq;=v;K8S_POD_NAMESPACE=');
    expect([...m]).toStrictEqual([
      ['IgnoreUnknown', 'true'],
      ['K8S_POD_NAME', 'web-0'],
      ['X', 'a=b'],
      ['K8S_POD_NAMESPACE', ''],
    ]);
  });
  it('never throws', () => {
    expect(parseCniArgsLenient('').size).toBe(0);
    expect(parseCniArgsLenient(';;;').size).toBe(0);
  });
});

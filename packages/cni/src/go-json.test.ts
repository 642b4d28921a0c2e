import { describe, expect, it } from 'vitest';
import { fromGoFields, type GoFieldTable, GoJsonError, goField, goObject, goSubObject, toGoFields } from './go-json.js';

interface State {
  name: string;
  count: number;
  on: boolean;
}
const TABLE: GoFieldTable<State> = [
  ['name', 'HostIFName', 'string'],
  ['count', 'VFID', 'number'],
  ['on', 'SpoofChk', 'boolean'],
];

describe('goObject / goSubObject', () => {
  it('lower-cases keys as Go matches them, the last duplicate winning', () => {
    expect(goObject({ Master: 'a', MASTER: 'b', x: 1 }, 'cache')).toEqual({ master: 'b', x: 1 });
  });
  it.each([null, [], 'x', 3])('refuses %j naming what it read', (v) => {
    expect(() => goObject(v, 'cache')).toThrow(new GoJsonError('cache is not an object'));
  });
  it('reads a nested object; absent or null is empty, anything else not an object is an error', () => {
    const top = goObject({ IPAM: { Type: 'host-local' }, none: null, bad: 'x' }, 'cache');
    expect(goSubObject(top, 'ipam')).toEqual({ type: 'host-local' });
    expect(goSubObject(top, 'none')).toEqual({});
    expect(goSubObject(top, 'missing')).toEqual({});
    expect(() => goSubObject(top, 'bad')).toThrow(GoJsonError);
  });
});

describe('goField', () => {
  const obj = goObject({ VFID: 3, MTU: 1.5, Name: 'x', On: true, Null: null }, 'o');
  it('finds a field by its Go key in any case; absent and null are undefined', () => {
    expect(goField(obj, 'vfid', 'number')).toBe(3);
    expect(goField(obj, 'NAME', 'string')).toBe('x');
    expect(goField(obj, 'on', 'boolean')).toBe(true);
    expect(goField(obj, 'Null', 'string')).toBeUndefined();
    expect(goField(obj, 'Nope', 'number')).toBeUndefined();
  });
  it('refuses a value of another JSON type (Go: an unmarshal error), and a fractional int', () => {
    expect(() => goField(obj, 'Name', 'number')).toThrow(new GoJsonError('Name is not an integer'));
    expect(() => goField(obj, 'MTU', 'number', 'cache.MTU')).toThrow('cache.MTU is not an integer');
    expect(() => goField(obj, 'VFID', 'boolean')).toThrow('VFID is not a boolean');
    expect(() => goField(obj, 'On', 'string')).toThrow('On is not a string');
  });
});

describe('fromGoFields / toGoFields', () => {
  it('round-trips a struct through its Go keys, in table order', () => {
    const v: State = { name: 'enp1s0f0v1', count: 4, on: true };
    const go = toGoFields(v, TABLE);
    expect(Object.keys(go)).toEqual(['HostIFName', 'VFID', 'SpoofChk']);
    expect(fromGoFields(goObject(go, 's'), TABLE)).toEqual(v);
  });
  it("gives absent fields Go's zero value and names a bad one with the prefix", () => {
    expect(fromGoFields({}, TABLE)).toEqual({ name: '', count: 0, on: false });
    expect(() => fromGoFields(goObject({ vfid: 'x' }, 's'), TABLE, 'OrigVfState.')).toThrow(
      'OrigVfState.VFID is not an integer',
    );
  });
});

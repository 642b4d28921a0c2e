import { describe, expect, it } from 'vitest';
import { failingMethod } from './inject.js';

class Counter {
  #n = 0;
  add(by: number): number {
    this.#n += by;
    return this.#n;
  }
  get value(): number {
    return this.#n;
  }
}

describe('failingMethod', () => {
  it('throws on the nth call only; other calls and methods stay real (private fields included)', () => {
    const c = failingMethod(new Counter(), 'add', { nth: 2 });
    expect(c.add(1)).toBe(1);
    expect(() => c.add(1)).toThrow('injected failure in add');
    expect(c.add(5)).toBe(6);
    expect(c.value).toBe(6);
  });

  it('counts only the calls that match `when`, and can fail every one of them', () => {
    const o = { get: (ns: string | undefined, name: string) => `${ns ?? 'host'}/${name}` };
    const f = failingMethod(o, 'get', { when: (ns) => ns !== undefined, label: 'get@pod' });
    expect(f.get(undefined, 'a')).toBe('host/a');
    expect(() => f.get('pod', 'a')).toThrow('injected failure in get@pod');
    expect(f.get('pod', 'a')).toBe('pod/a');
    const always = failingMethod(o, 'get', { always: true });
    expect(() => always.get(undefined, 'a')).toThrow();
    expect(() => always.get(undefined, 'a')).toThrow();
  });

  it('keeps the target unchanged and survives an object spread', () => {
    const o = { a: () => 1, b: () => 2 };
    const spread = { ...failingMethod(o, 'a') };
    expect(() => spread.a()).toThrow('injected failure in a');
    expect(spread.b()).toBe(2);
    expect(o.a()).toBe(1);
  });
});

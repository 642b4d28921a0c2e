import { describe, expect, it } from 'vitest';
import { CniError } from './errors.js';
import { messageOf, releaseEach, UndoStack } from './undo.js';

describe('UndoStack', () => {
  it('unwinds newest first, awaits async undos and keeps going past a failing one', async () => {
    const ran: string[] = [];
    const undo = new UndoStack();
    undo.push('a', () => ran.push('a'));
    undo.push('b', () => {
      ran.push('b');
      throw new Error('b broke');
    });
    undo.push('c', async () => {
      await new Promise((r) => setImmediate(r));
      ran.push('c');
    });
    expect(undo.names).toEqual(['a', 'b', 'c']);
    const failures = await undo.unwind();
    expect(ran).toEqual(['c', 'b', 'a']);
    expect(failures.map((f) => [f.step, (f.error as Error).message])).toEqual([['b', 'b broke']]);
    expect(undo.names).toEqual([]);
    expect(await undo.unwind()).toEqual([]);
  });

  it('commit forgets every undo', async () => {
    const undo = new UndoStack();
    let ran = false;
    undo.push('a', () => {
      ran = true;
    });
    undo.commit();
    expect(await undo.unwind()).toEqual([]);
    expect(ran).toBe(false);
  });
});

describe('UndoStack.unwindAfter', () => {
  it('rethrows the original error when every undo succeeded', async () => {
    const undo = new UndoStack();
    const ran: string[] = [];
    undo.push('a', () => ran.push('a'));
    const original = new Error('step 2 failed');
    await expect(undo.unwindAfter(original, () => new Error('wrapped'))).rejects.toBe(original);
    expect(ran).toEqual(['a']);
    expect(undo.names).toEqual([]);
  });

  it('lists each failed undo, newest first, in the error wrap makes', async () => {
    const undo = new UndoStack();
    undo.push('a', () => {
      throw new Error('a broke');
    });
    undo.push('b', () => {
      throw 'b broke';
    });
    undo.push('c', () => undefined);
    const err = undo.unwindAfter(new Error('x'), (notes) => new Error(`x; rollback failed: ${notes}`));
    await expect(err).rejects.toThrow('x; rollback failed: b: b broke; a: a broke');
    undo.push('d', () => {
      throw new CniError(7, 'short', 'details');
    });
    const custom = undo.unwindAfter(
      new Error('y'),
      (n) => new Error(n),
      (e) => (e as CniError).msg,
    );
    await expect(custom).rejects.toThrow(/^d: short$/);
  });
});

describe('messageOf', () => {
  it("is an Error's message, anything else as a string", () => {
    expect(messageOf(new Error('m'))).toBe('m');
    expect(messageOf('s')).toBe('s');
    expect(messageOf(42)).toBe('42');
  });
});

describe('releaseEach', () => {
  it('releases every entry past failures, then names each failure in one CniError 999', async () => {
    const seen: string[] = [];
    const run = releaseEach(['a', 'b', 'c', 'd'], async (e) => {
      seen.push(e);
      if (e === 'b' || e === 'd') throw new Error(`${e} is stuck`);
    });
    await expect(run).rejects.toMatchObject({
      code: 999,
      msg: 'GC failed for 2 attachment(s): b: b is stuck; d: d is stuck',
    });
    await run.catch((e) => expect(e).toBeInstanceOf(CniError));
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
  });

  it('names entries and describes errors as told, and succeeds when nothing failed', async () => {
    await expect(releaseEach([], async () => undefined)).resolves.toBeUndefined();
    await expect(releaseEach([{ id: 1 }], async () => undefined)).resolves.toBeUndefined();
    const run = releaseEach(
      [{ id: 1 }],
      async () => {
        throw new CniError(5, 'short', 'long');
      },
      { nameOf: (e) => `#${e.id}`, describe: (e) => (e as CniError).msg },
    );
    await expect(run).rejects.toMatchObject({ msg: 'GC failed for 1 attachment(s): #1: short' });
  });
});

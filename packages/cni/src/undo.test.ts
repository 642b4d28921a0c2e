import { describe, expect, it } from 'vitest';
import { UndoStack } from './undo.js';

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

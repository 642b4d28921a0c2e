import { describe, expect, it } from 'vitest';
import { UndoStack } from './undo.js';

describe('UndoStack', () => {
  it('unwinds newest first and keeps going past a failing undo', async () => {
    const ran: string[] = [];
    const undo = new UndoStack();
    undo.push('a', () => ran.push('a'));
    undo.push('b', () => {
      ran.push('b');
      throw new Error('b broke');
    });
    undo.push('c', async () => ran.push('c'));
    const failures = await undo.unwind();
    expect(ran).toEqual(['c', 'b', 'a']);
    expect(failures.map((f) => f.step)).toEqual(['b']);
    expect(await undo.unwind()).toEqual([]);
  });

  it('commit forgets every undo', async () => {
    const undo = new UndoStack();
    let ran = false;
    undo.push('a', () => {
      ran = true;
    });
    undo.commit();
    await undo.unwind();
    expect(ran).toBe(false);
  });
});

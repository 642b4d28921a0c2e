import { describe, expect, it } from 'vitest';
import { executable, missingPrerequisites } from './index.js';

describe('missingPrerequisites', () => {
  it('returns null when everything is present', () => {
    expect(missingPrerequisites('s', [{ what: 'x', ok: true }])).toBeNull();
  });

  it('names what is missing (and throws in CI)', () => {
    const run = () =>
      missingPrerequisites('suite-a', [
        { what: 'root', ok: false },
        { what: 'y', ok: true },
      ]);
    if (process.env.CI === 'true' || process.env.CI === '1') {
      expect(run).toThrow(/suite-a: cannot run without root/);
    } else {
      expect(run()).toBe('suite-a: cannot run without root');
    }
  });

  it('finds executables on a search path', () => {
    expect(executable('node').ok).toBe(true);
    expect(executable('definitely-not-a-binary-xyz').ok).toBe(false);
  });
});

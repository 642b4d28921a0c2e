import { describe, expect, it } from 'vitest';
import { holdStopSignals, releaseStopSignals } from './early-signals.js';

describe('early stop signals', () => {
  it('a SIGTERM while held neither kills the process nor is lost; release hands it over once', async () => {
    holdStopSignals();
    process.kill(process.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 50)); // signal delivery is asynchronous
    expect(releaseStopSignals()).toEqual(['SIGTERM']);
    expect(releaseStopSignals()).toEqual([]);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });
});

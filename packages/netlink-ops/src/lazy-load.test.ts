// Importing the package must not load the native addon (a CNI plugin imports it on its start-up path).
import { closeSync, openSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('lazy native loading', () => {
  it('loads the addon on the first native call, not at import time', async () => {
    const mod = await import('./index.js');
    const { isAddonLoaded } = await import('./syscalls.js');
    expect(typeof mod.getLink).toBe('function');
    expect(isAddonLoaded()).toBe(false);
    mod.createNetlinkOps({ transport: mod.createRecordingTransport({ inner: null }) }).listLinks();
    expect(isAddonLoaded()).toBe(false); // a recording transport without inner needs no native code
    const fd = openSync('/dev/null', 'r'); // any open fd works for the first native call
    try {
      mod.tryFlock(fd, 'shared');
      mod.unflock(fd);
    } finally {
      closeSync(fd);
    }
    expect(isAddonLoaded()).toBe(true);
  });

  it('the built addon is small', () => {
    const path = fileURLToPath(new URL('../build/Release/netlink_ops.node', import.meta.url));
    expect(statSync(path).size).toBeLessThan(100_000);
  });
});

// setNativeAddonPath: where a bundle or a single executable application loads the addon from.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const built = fileURLToPath(new URL('../build/Release/netlink_ops.node', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nlops-addon-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freshModule() {
  vi.resetModules();
  return import('./syscalls.js');
}

describe('setNativeAddonPath', () => {
  it('accepts only absolute paths', async () => {
    const { setNativeAddonPath } = await freshModule();
    expect(() => setNativeAddonPath('build/Release/netlink_ops.node')).toThrow(TypeError);
    expect(() => setNativeAddonPath('')).toThrow(TypeError);
    expect(() => setNativeAddonPath('/x\0y')).toThrow(TypeError);
  });

  it('loads the addon from the given file, not from the package', async () => {
    const { setNativeAddonPath, syscalls, isAddonLoaded } = await freshModule();
    setNativeAddonPath(join(dir, 'missing.node'));
    expect(() => syscalls()).toThrow(/cannot load its native addon .*missing\.node/);
    expect(isAddonLoaded()).toBe(false);

    const copy = join(dir, 'copy.node');
    copyFileSync(built, copy);
    setNativeAddonPath(copy);
    expect(syscalls().flock(0, 2)).toBe(true);
    syscalls().flock(0, 0);
    expect(isAddonLoaded()).toBe(true);
    // Once loaded, the same path is a no-op and another path is refused (a second dlopen would not replace it).
    expect(() => setNativeAddonPath(copy)).not.toThrow();
    expect(() => setNativeAddonPath(built)).toThrow(/already loaded from .*copy\.node/);
  });

  it('calls a path function on the first native call only, once', async () => {
    const { setNativeAddonPath, syscalls } = await freshModule();
    const copy = join(dir, 'lazy.node');
    let calls = 0;
    setNativeAddonPath(() => {
      calls++;
      copyFileSync(built, copy); // what a single executable does: write the addon out when it is needed
      return copy;
    });
    expect(calls).toBe(0);
    expect(syscalls().flock(0, 2)).toBe(true);
    syscalls().flock(0, 0);
    expect(calls).toBe(1);
    expect(() => setNativeAddonPath(built)).toThrow(/already loaded from .*lazy\.node/);
  });

  it('a path function that fails or returns a relative path fails the load, and is retried next time', async () => {
    const { setNativeAddonPath, syscalls, isAddonLoaded } = await freshModule();
    let answer: () => string = () => {
      throw new Error('cannot extract the addon: EROFS');
    };
    setNativeAddonPath(() => answer());
    expect(() => syscalls()).toThrow(/EROFS/);
    answer = () => 'relative.node';
    expect(() => syscalls()).toThrow(TypeError);
    expect(isAddonLoaded()).toBe(false);
  });
});

describe('default addon location', () => {
  it('a one-file bundle with netlink_ops.node beside it loads that copy, without setNativeAddonPath', async () => {
    const { build } = await import('esbuild');
    const { spawnSync } = await import('node:child_process');
    const bundleDir = mkdtempSync(join(dir, 'bundle-'));
    const entry = join(bundleDir, 'entry.ts');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      entry,
      `import { syscalls } from ${JSON.stringify(fileURLToPath(new URL('./syscalls.ts', import.meta.url)))};\n` +
        'process.stdout.write(String(syscalls().flock(0, 2)));\n',
    );
    await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      outfile: join(bundleDir, 'app.mjs'),
    });
    // Without the sibling copy the bundle finds no addon (it is not inside the package any more).
    const without = spawnSync(process.execPath, [join(bundleDir, 'app.mjs')], { encoding: 'utf8' });
    expect(without.status).not.toBe(0);
    expect(without.stderr).toMatch(/cannot load its native addon .*build\/Release\/netlink_ops\.node/);
    copyFileSync(built, join(bundleDir, 'netlink_ops.node'));
    const withCopy = spawnSync(process.execPath, [join(bundleDir, 'app.mjs')], { encoding: 'utf8' });
    expect(withCopy.stderr).toBe('');
    expect(withCopy.stdout).toBe('true');
  });
});

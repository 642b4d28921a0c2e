// Starts a DevicePlugin against a fake kubelet in a fresh temp folder; cleans everything up.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDevicePluginConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import type { HostSource } from '../src/plugin.js';
import { DevicePlugin, type PluginOptions } from '../src/plugin.js';
import { FakeKubelet } from './fake-kubelet.js';

export interface Harness {
  root: string;
  dpDir: string;
  devInfoDir: string;
  cdiDir: string;
  configFile: string;
  kubelet: FakeKubelet;
  plugin: DevicePlugin;
  writeConfig(config: unknown): void;
  close(): Promise<void>;
}

export async function startHarness(
  host: HostSource,
  config: unknown,
  extra: Partial<PluginOptions> & { watcher?: boolean } = {},
): Promise<Harness> {
  const root = mkdtempSync(join(tmpdir(), 'sriovdp-'));
  const dpDir = join(root, 'device-plugins');
  const registry = join(root, 'plugins_registry');
  mkdirSync(dpDir);
  if (extra.watcher) mkdirSync(registry);
  const configFile = join(root, 'config.json');
  const writeConfig = (c: unknown) => writeFileSync(configFile, typeof c === 'string' ? c : JSON.stringify(c));
  writeConfig(config);
  const kubelet = new FakeKubelet(dpDir);
  await kubelet.start();
  const plugin = new DevicePlugin({
    configFile,
    resourcePrefix: 'intel.com',
    useCdi: false,
    loadConfig: (text, prefix) => loadDevicePluginConfig(text, prefix),
    host,
    log: silentLogger,
    devicePluginDir: dpDir,
    pluginsRegistryDir: registry,
    deviceInfoDir: join(root, 'devinfo'),
    cdiDirs: [join(root, 'etc-cdi'), join(root, 'run-cdi')],
    rescanIntervalMs: 0,
    watchConfig: false,
    ...extra,
  });
  await plugin.start();
  return {
    root,
    dpDir,
    devInfoDir: join(root, 'devinfo'),
    cdiDir: join(root, 'run-cdi'),
    configFile,
    kubelet,
    plugin,
    writeConfig,
    async close() {
      await plugin.stop();
      await kubelet.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

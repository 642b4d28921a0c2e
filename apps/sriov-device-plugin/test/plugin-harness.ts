// Starts a DevicePlugin against a fake kubelet in a fresh temp folder; cleans everything up.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/logger.js';
import { type ConfigLoader, DevicePlugin, type PluginOptions } from '../src/plugin.js';
import type { ResourceConfig, Selector } from '../src/types.js';
import { FakeKubelet } from './fake-kubelet.js';
import type { FakeHost } from './host-fixtures.js';

/** Minimal loader for core tests (the real one is netconf-schema, tested in config.test.ts). */
export const simpleLoader: ConfigLoader = (text, prefix) => {
  const doc = JSON.parse(text) as { resourceList: Record<string, unknown>[] };
  return doc.resourceList.map((r) => {
    if (typeof r.resourceName !== 'string' || !/^[a-zA-Z0-9_-]+$/.test(r.resourceName)) {
      throw new Error(`resourceList[].resourceName ${JSON.stringify(r.resourceName)} is invalid`);
    }
    return {
      resourceName: r.resourceName,
      resourcePrefix: (r.resourcePrefix as string | undefined) ?? prefix,
      deviceType: (r.deviceType as ResourceConfig['deviceType'] | undefined) ?? 'netDevice',
      excludeTopology: r.excludeTopology === true,
      selectors: Array.isArray(r.selectors) ? (r.selectors as Selector[]) : [r.selectors as Selector],
      additionalInfo: (r.additionalInfo as ResourceConfig['additionalInfo'] | undefined) ?? {},
    };
  });
};

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
  host: FakeHost,
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
    loadConfig: simpleLoader,
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

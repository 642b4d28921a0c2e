// Library surface of the device plugin, for e2e suites and embedding (the product is the `sriovdp` binary).
export { resourceEnvName } from './allocate.js';
export { type CliOptions, parseArgs } from './cli.js';
export { InvalidConfigError, loadDevicePluginConfig } from './config.js';
export { deviceInfoFileName } from './device-info.js';
export { main } from './main.js';
export { ConfigError, DevicePlugin, type HostSource, type PluginOptions } from './plugin.js';
export type { PciFacts, ResourceConfig, Selector } from './types.js';
export { VERSION } from './version.js';

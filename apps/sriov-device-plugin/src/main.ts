// sriovdp: flags → logger → (metrics) → DevicePlugin on sysfs-pci + netlink-ops → run until a signal.
// SIGTERM/SIGINT/SIGQUIT stop gracefully (streams ended, sockets, device-info and CDI files removed); SIGHUP
// re-reads the config and re-discovers devices (the Go plugin treats SIGHUP as a stop).
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createNetlinkOps } from '@sriov-ts/netlink-ops';
import { createSysfs } from '@sriov-ts/sysfs-pci';
import { type CliOptions, parseArgs, UsageError, usage } from './cli.js';
import { loadDevicePluginConfig } from './config.js';
import { releaseStopSignals } from './early-signals.js';
import { createSysfsHost } from './host.js';
import { createLogger, type LogSink } from './logger.js';
import type { Metrics } from './metrics.js';
import { defaultRouteNetdevs, netlinkLinkSource } from './netlink-host.js';
import { DevicePlugin } from './plugin.js';
import { VERSION } from './version.js';

export interface MainIo {
  stdout: LogSink;
  stderr: LogSink;
  /** Registers signal handlers; returns a function removing them. */
  onSignals?: (handlers: Partial<Record<NodeJS.Signals, () => void>>) => () => void;
}

const processSignals: NonNullable<MainIo['onSignals']> = (handlers) => {
  for (const [sig, fn] of Object.entries(handlers)) process.on(sig as NodeJS.Signals, fn);
  return () => {
    for (const [sig, fn] of Object.entries(handlers)) process.off(sig as NodeJS.Signals, fn);
  };
};

/** Runs the plugin until stopped by a signal; resolves with the process exit code. */
export async function main(argv: readonly string[], io: MainIo = { stdout: process.stdout, stderr: process.stderr }) {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`${err.message}\n${usage()}`);
    return 2;
  }
  if (opts.help) {
    io.stdout.write(usage());
    return 0;
  }
  if (opts.version) {
    io.stdout.write(`sriovdp version ${VERSION}\n`);
    return 0;
  }
  const sinks: LogSink[] = [io.stderr];
  let logFile: ReturnType<typeof createWriteStream> | null = null;
  if (opts.logDir !== null) {
    mkdirSync(opts.logDir, { recursive: true });
    logFile = createWriteStream(join(opts.logDir, 'sriovdp.log'), { flags: 'a', mode: 0o600 });
    sinks.push(logFile);
  }
  const log = createLogger({ level: opts.logLevel, sinks });
  log.info('sriovdp starting', { version: VERSION, configFile: opts.configFile, resourcePrefix: opts.resourcePrefix });

  let plugin: DevicePlugin | null = null;
  let metrics: Metrics | undefined;
  let closeMetrics: (() => Promise<void>) | null = null;
  if (opts.metricsPort !== null) {
    const { startMetrics } = await import('./metrics-prom.js');
    const endpoint = await startMetrics(
      opts.metricsAddress,
      opts.metricsPort,
      () => (plugin?.resources.length ?? 0) > 0,
    );
    metrics = endpoint.metrics;
    closeMetrics = endpoint.close;
    log.info('serving metrics', { address: opts.metricsAddress, port: endpoint.port });
  }

  const netlink = createNetlinkOps();
  const host = createSysfsHost({
    sysfs: createSysfs({ root: opts.hostRoot }),
    log,
    defaultRouteNetdevs: async () => defaultRouteNetdevs(netlink),
    links: netlinkLinkSource(netlink, log),
  });
  plugin = new DevicePlugin({
    configFile: opts.configFile,
    resourcePrefix: opts.resourcePrefix,
    useCdi: opts.useCdi,
    loadConfig: (text, prefix) => loadDevicePluginConfig(text, prefix, (w) => log.warn(w)),
    host,
    log,
    metrics,
    devicePluginDir: opts.devicePluginPath,
    pluginsRegistryDir: opts.pluginsRegistryPath,
    deviceInfoDir: opts.deviceInfoPath,
    cdiDirs: [join(opts.cdiRoot, 'etc/cdi'), join(opts.cdiRoot, 'var/run/cdi')],
    rescanIntervalMs: opts.rescanIntervalSeconds * 1000,
  });

  const shutdown = async () => {
    await plugin?.stop();
    await closeMetrics?.();
    if (logFile !== null) await new Promise((r) => logFile!.end(r));
  };

  const started = plugin.start().then(
    () => null,
    (err: unknown) => err,
  );
  // Signals are handled from the start, so a SIGTERM during start-up still cleans up.
  let stopRequested: (signal: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    stopRequested = resolve;
  });
  const handlers: Partial<Record<NodeJS.Signals, () => void>> = {
    SIGTERM: () => stopRequested('SIGTERM'),
    SIGINT: () => stopRequested('SIGINT'),
    SIGQUIT: () => stopRequested('SIGQUIT'),
    SIGHUP: () => {
      log.info('SIGHUP: reloading configuration and re-discovering devices');
      void plugin?.rescan('SIGHUP');
    },
  };
  const removeHandlers = (io.onSignals ?? processSignals)(handlers);
  // Stop signals that arrived while the bundle was loading (held by the entry, see early-signals.ts).
  for (const signal of releaseStopSignals()) handlers[signal]?.();
  try {
    const startError = await Promise.race([started, stopped.then(() => null)]);
    if (startError !== null) {
      log.error('cannot start', { err: startError });
      await shutdown();
      return 1;
    }
    const signal = await stopped;
    log.info('received signal; shutting down', { signal });
    await started;
    await shutdown();
    return 0;
  } finally {
    removeHandlers();
  }
}

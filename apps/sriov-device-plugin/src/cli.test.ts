import { describe, expect, it } from 'vitest';
import { DEFAULTS, parseArgs, UsageError } from './cli.js';

describe('command line', () => {
  it('defaults are the Go plugin defaults', () => {
    expect(parseArgs([])).toMatchObject({
      configFile: '/etc/pcidp/config.json',
      resourcePrefix: 'intel.com',
      useCdi: false,
    });
  });

  it('accepts Go flag spellings and the entrypoint forms', () => {
    const o = parseArgs([
      '-config-file',
      '/x.json',
      '--resource-prefix=nvidia.com',
      '-use-cdi',
      '-v',
      '10',
      '-logtostderr',
      '--log-dir=sriovdp',
    ]);
    expect(o).toMatchObject({
      configFile: '/x.json',
      resourcePrefix: 'nvidia.com',
      useCdi: true,
      logLevel: 'debug',
      logDir: '/var/log/sriovdp',
    });
    expect(parseArgs(['--log-level=2']).logLevel).toBe('info');
    expect(parseArgs(['--use-cdi=false']).useCdi).toBe(false);
    expect(parseArgs(['-log_dir=/tmp/l', '-alsologtostderr', '-stderrthreshold=INFO']).logDir).toBe('/tmp/l');
  });

  it('rejects unknown flags and missing values like Go flag', () => {
    expect(() => parseArgs(['-foo'])).toThrow(new UsageError('flag provided but not defined: -foo'));
    expect(() => parseArgs(['-config-file'])).toThrow('flag needs an argument: -config-file');
    expect(() => parseArgs(['stray'])).toThrow('unknown parameter "stray"');
    expect(() => parseArgs(['--metrics-port=x'])).toThrow(/invalid value/);
  });

  it('metrics are off unless asked for, and bind to loopback by default', () => {
    expect(DEFAULTS.metricsPort).toBeNull();
    expect(parseArgs(['--metrics-port=9100'])).toMatchObject({ metricsPort: 9100, metricsAddress: '127.0.0.1' });
  });
});

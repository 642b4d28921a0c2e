import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cniEnv, hostLocalLeases } from './cni-bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'test-support-cni-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CNI bundle helpers', () => {
  it('builds the runtime environment with every CNI_* variable, empty when not given', () => {
    const env = cniEnv({ command: 'DEL', containerId: 'c1', ifName: 'net1', conf: {}, env: { X: '1' } });
    expect(env).toMatchObject({
      CNI_COMMAND: 'DEL',
      CNI_CONTAINERID: 'c1',
      CNI_NETNS: '',
      CNI_IFNAME: 'net1',
      CNI_ARGS: '',
      CNI_PATH: '/usr/lib/cni',
      X: '1',
    });
  });

  it("finds a container's host-local leases (IPv4 and IPv6 files), not other files or containers", () => {
    mkdirSync(join(dir, 'net'));
    writeFileSync(join(dir, 'net', '10.0.0.2'), 'c1\r\nnet1');
    writeFileSync(join(dir, 'net', 'fd00::2'), 'c1\r\nnet1');
    writeFileSync(join(dir, 'net', '10.0.0.3'), 'c2\r\nnet1');
    writeFileSync(join(dir, 'net', 'last_reserved_ip.0'), '10.0.0.3');
    expect(hostLocalLeases(dir, 'net', 'c1').sort()).toEqual(['10.0.0.2', 'fd00::2']);
    expect(hostLocalLeases(dir, 'other', 'c1')).toEqual([]);
  });
});

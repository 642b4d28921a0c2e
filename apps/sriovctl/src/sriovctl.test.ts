// sriovctl on the lab's fake sysfs tree (no root: realNetdevs false) with CNI state written as the Go plugins
// write it, through the same run() the executable calls.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, type Lab } from '@sriov-ts/lab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeNetlink, run } from './main.js';

let lab: Lab;
let state: string;

const noNetlink = (): NodeNetlink => {
  throw new Error('netlink must not be used with --no-netlink');
};

function sriovctl(args: string[], stdin = '', netlink = noNetlink) {
  let stdout = '';
  let stderr = '';
  const code = run(args, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    readStdin: () => stdin,
    netlink,
  });
  return { code, stdout, stderr };
}

const onLab = (cmd: string, ...rest: string[]) =>
  sriovctl([cmd, '--sysfs-root', lab.root, '--state-dir', state, '--no-netlink', ...rest]);

beforeAll(async () => {
  lab = await createLab({
    realNetdevs: false,
    pfs: [
      { model: 'intel-xxv710', vfs: 4, dpdkVfs: [3] },
      { model: 'mlx5-cx6-ib', vfs: 2, numaNode: 1 },
    ],
  });
  state = mkdtempSync(join(tmpdir(), 'sriovctl-state-'));
  // A sriov cache exactly as the Go plugin writes it (untagged Go fields capitalised) + its allocation record.
  mkdirSync(join(state, 'sriov', 'pci'), { recursive: true });
  const vf1 = lab.vf(0, 1);
  writeFileSync(
    join(state, 'sriov', '2f1e6a0c9b7d-net1'),
    JSON.stringify({
      cniVersion: '1.0.0',
      name: 'sriov-net-a',
      type: 'sriov',
      ipam: { type: 'host-local' },
      deviceID: vf1.address,
      OrigVfState: { HostIFName: vf1.netdev, SpoofChk: true, Trust: false, AdminMAC: '', EffectiveMAC: vf1.mac },
      Master: lab.pfs[0]!.netdev,
      MAC: '',
      MTU: 1500,
      VFID: 1,
    }),
  );
  writeFileSync(join(state, 'sriov', 'pci', vf1.address), '/var/run/netns/does-not-exist-pod-a');
  // An ib-sriov cache as the Go plugin writes it: no netns key, ContIFNames names the pod interface.
  mkdirSync(join(state, 'ib-sriov'), { recursive: true });
  const ibVf = lab.vf(1, 0);
  writeFileSync(
    join(state, 'ib-sriov', 'c0ffee-ib0'),
    JSON.stringify({
      cniVersion: '0.3.1',
      name: 'ib-net',
      type: 'ib-sriov',
      Master: lab.pfs[1]!.netdev,
      deviceID: ibVf.address,
      VFID: 0,
      HostIFNames: ibVf.netdev,
      HostIFGUID: '',
      ContIFNames: 'ib0',
      RdmaNetState: { version: '', deviceID: '', sandboxRdmaDevName: '', containerRdmaDevName: '' },
    }),
  );
  // Junk that must be ignored: not JSON, no deviceID, a path-like deviceID.
  writeFileSync(join(state, 'sriov', 'garbage-net1'), 'not json');
  writeFileSync(join(state, 'sriov', 'nodev-net1'), '{"name":"x"}');
  writeFileSync(join(state, 'sriov', 'evil-net1'), '{"deviceID":"../../etc/passwd"}');
});

afterAll(async () => {
  await lab?.destroy();
  if (state) rmSync(state, { recursive: true, force: true });
});

describe('sriovctl pfs', () => {
  it('lists each SR-IOV PF with names, driver, link state, VF counts and NUMA (--json)', () => {
    const r = onLab('pfs', '--json');
    expect(r.code, r.stderr).toBe(0);
    const { pfs } = JSON.parse(r.stdout);
    expect(pfs).toEqual([
      expect.objectContaining({
        address: lab.pfs[0]!.address,
        vendor: '8086',
        device: '158b',
        vendorName: 'Intel Corporation',
        deviceName: expect.stringContaining('XXV710'),
        driver: 'i40e',
        netdev: lab.pfs[0]!.netdev,
        numVfs: 4,
        totalVfs: 64,
        numaNode: 0,
        linkType: 'ether',
      }),
      expect.objectContaining({
        address: lab.pfs[1]!.address,
        vendor: '15b3',
        driver: 'mlx5_core',
        numVfs: 2,
        numaNode: 1,
        linkType: 'infiniband',
      }),
    ]);
    expect(typeof pfs[0].linkState).toBe('string');
  });

  it('prints a table a person reads', () => {
    const r = onLab('pfs');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^PCI\s+NETDEV\s+ID\s+NAME\s+DRIVER\s+LINK\s+TYPE\s+VFS\s+NUMA$/);
    expect(lines[1]).toContain(`${lab.pfs[0]!.address}  ${lab.pfs[0]!.netdev}`);
    expect(lines[1]).toMatch(/Intel Corporation .*i40e .* 4\/64\s+0$/);
  });

  it('--pf filters by netdev name or PCI address', () => {
    expect(JSON.parse(onLab('pfs', '--json', '--pf', lab.pfs[1]!.netdev).stdout).pfs).toHaveLength(1);
    expect(JSON.parse(onLab('pfs', '--json', `--pf=${lab.pfs[0]!.address}`).stdout).pfs[0].address).toBe(
      lab.pfs[0]!.address,
    );
  });
});

describe('sriovctl vfs', () => {
  it('lists VFs with driver, netdev, MAC and the pod netns from Go-written sriov and ib-sriov caches', () => {
    const r = onLab('vfs', '--json');
    expect(r.code, r.stderr).toBe(0);
    const { vfs } = JSON.parse(r.stdout) as { vfs: Record<string, unknown>[] };
    expect(vfs.map((v) => v.address)).toEqual([...lab.pfs[0]!.vfs, ...lab.pfs[1]!.vfs].map((v) => v.address));
    const byAddr = new Map(vfs.map((v) => [v.address as string, v]));
    expect(byAddr.get(lab.vf(0, 0).address)).toMatchObject({
      index: 0,
      driver: 'iavf',
      netdev: lab.vf(0, 0).netdev,
      mac: lab.vf(0, 0).mac,
      holders: [],
      knobs: null,
    });
    expect(byAddr.get(lab.vf(0, 3).address)).toMatchObject({
      driver: 'vfio-pci',
      netdev: null,
      vfioDevice: expect.stringMatching(/^\/dev\/vfio\/\d+$/),
    });
    expect(byAddr.get(lab.vf(0, 1).address)!.holders).toEqual([
      {
        plugin: 'sriov',
        deviceId: lab.vf(0, 1).address,
        attachment: '2f1e6a0c9b7d-net1',
        network: 'sriov-net-a',
        netns: '/var/run/netns/does-not-exist-pod-a',
        podIfName: null,
        netnsAlive: false,
      },
    ]);
    expect(byAddr.get(lab.vf(1, 0).address)!.holders).toEqual([
      expect.objectContaining({ plugin: 'ib-sriov', attachment: 'c0ffee-ib0', podIfName: 'ib0', netns: null }),
    ]);
  });

  it('the table marks a stale holder whose netns is gone', () => {
    const r = onLab('vfs');
    const row = r.stdout.split('\n').find((l) => l.includes(lab.vf(0, 1).address))!;
    expect(row).toMatch(/\/var\/run\/netns\/does-not-exist-pod-a \[netns gone\]$/);
    const ibRow = r.stdout.split('\n').find((l) => l.includes(lab.vf(1, 0).address))!;
    expect(ibRow).toMatch(/\(c0ffee-ib0\):ib0$/);
  });

  it('reads PF-side knobs from netlink IFLA_VFINFO_LIST when the PF reports them', () => {
    const pf0 = lab.pfs[0]!;
    const netlink = () => ({
      findLink: ((name: string) =>
        name === pf0.netdev
          ? {
              name,
              operState: 'UP',
              vfs: [
                {
                  vf: 2,
                  mac: '02:00:00:00:00:02',
                  vlan: 100,
                  qos: 3,
                  spoofchk: false,
                  trust: true,
                  linkState: 'enable',
                  minTxRate: 0,
                  maxTxRate: 1000,
                },
              ],
            }
          : undefined) as unknown as NodeNetlink['findLink'],
      listLinks: () => expect.fail('vfs must not list links'),
      listRoutes: () => expect.fail('vfs must not list routes'),
    });
    const r = sriovctl(
      ['vfs', '--sysfs-root', lab.root, '--state-dir', state, '--pf', pf0.netdev, '--json'],
      '',
      netlink,
    );
    expect(r.code, r.stderr).toBe(0);
    const { vfs } = JSON.parse(r.stdout) as { vfs: { index: number; knobs: unknown }[] };
    expect(vfs.find((v) => v.index === 2)!.knobs).toEqual({
      mac: '02:00:00:00:00:02',
      vlan: 100,
      qos: 3,
      spoofchk: false,
      trust: true,
      linkState: 'enable',
      minTxRate: 0,
      maxTxRate: 1000,
      nodeGuid: null,
      portGuid: null,
    });
    expect(vfs.find((v) => v.index === 0)!.knobs).toBeNull();
    const table = sriovctl(['vfs', '--sysfs-root', lab.root, '--state-dir', state, '--pf', pf0.netdev], '', netlink);
    const row = table.stdout.split('\n').find((l) => l.includes(lab.vf(0, 2).address))!;
    expect(row).toMatch(/02:00:00:00:00:02\s+100\/qos 3\s+off\s+on\s+enable\s+0-1000/);
  });
});

describe('sriovctl lint', () => {
  it('a valid device plugin config lists its pools', () => {
    const conf = JSON.stringify({
      resourceList: [{ resourceName: 'intel_sriov', selectors: [{ vendors: ['8086'] }] }],
    });
    const r = sriovctl(['lint', '-'], conf);
    expect(r).toMatchObject({ code: 0, stdout: 'device-plugin: ok (pools: intel.com/intel_sriov)\n' });
  });

  it('an invalid device plugin config fails with the plugin error and its location', () => {
    const conf = JSON.stringify({ resourceList: [{ resourceName: 'bad/name', selectors: [{}] }] });
    const r = sriovctl(['lint', '-', '--json'], conf);
    expect(r.code).toBe(1);
    const [f] = JSON.parse(r.stdout);
    expect(f).toMatchObject({
      target: 'device-plugin',
      ok: false,
      error: { path: expect.stringContaining('resourceName') },
    });
    expect(f.error.message).toContain('bad/name');
  });

  it('a sriov netconf: the Go plugin message', () => {
    const r = sriovctl(
      ['lint', '-'],
      JSON.stringify({ cniVersion: '1.0.0', name: 'n', type: 'sriov', deviceID: '0000:3b:02.0', vlan: 5000 }),
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^sriov: error: .*vlan/i);
  });

  it('a conflist lints each sriov / ib-sriov plugin with the list name and version', () => {
    const conflist = {
      cniVersion: '1.0.0',
      name: 'net',
      plugins: [
        { type: 'sriov', deviceID: '0000:3b:02.0' },
        { type: 'tuning' },
        { type: 'ib-sriov', deviceID: '0000:3f:00.2', link_state: 'sideways' },
      ],
    };
    const r = sriovctl(['lint', '-'], JSON.stringify(conflist));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^plugins\[0\] \(sriov\): ok$/m);
    expect(r.stdout).toMatch(/^plugins\[2\] \(ib-sriov\): error: .*link_state/m);
  });

  it('a NetworkAttachmentDefinition (JSON) is linted through spec.config', () => {
    const nad = {
      apiVersion: 'k8s.cni.cncf.io/v1',
      kind: 'NetworkAttachmentDefinition',
      metadata: { name: 'sriov-net' },
      spec: {
        config: JSON.stringify({ cniVersion: '1.0.0', name: 'sriov-net', type: 'sriov', deviceID: '0000:3b:02.0' }),
      },
    };
    expect(sriovctl(['lint', '-'], JSON.stringify(nad))).toMatchObject({ code: 0, stdout: 'sriov: ok\n' });
  });

  it('input it cannot classify, or not JSON, is a clear error', () => {
    expect(sriovctl(['lint', '-'], '{"type":"bridge"}')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--kind'),
    });
    expect(sriovctl(['lint', '-'], 'nope')).toMatchObject({ code: 1, stderr: expect.stringContaining('not JSON') });
  });
});

describe('sriovctl usage', () => {
  it('unknown commands and options, missing values and relative roots exit 2 with the usage', () => {
    for (const args of [
      ['frobnicate'],
      ['pfs', '--bogus'],
      ['pfs', '--sysfs-root'],
      ['pfs', '--sysfs-root', 'rel'],
      ['lint', '-', '--kind', 'x'],
      ['lint'],
    ]) {
      const r = sriovctl(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('Usage: sriovctl');
    }
    expect(sriovctl(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: sriovctl') });
    expect(sriovctl(['--version']).stdout).toBe('sriovctl version dev\n');
  });
});

describe('sriovctl pools', () => {
  let dir: string;
  let configFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sriovctl-pools-'));
    configFile = join(dir, 'config.json');
    const [intel] = lab.pfs;
    writeFileSync(
      configFile,
      JSON.stringify({
        resourceList: [
          { resourceName: 'intel_vf', selectors: [{ pfNames: [`${intel!.netdev.toUpperCase()}#0-1`] }] },
          {
            resourceName: 'dpdk',
            selectors: [{ drivers: ['iavf'], rootDevices: ['0000:00:00.0'] }, { drivers: ['vfio-pci'] }],
          },
          { resourceName: 'ib', resourcePrefix: 'nvidia.com', selectors: { linkTypes: ['infiniband'], isRdma: true } },
          { resourceName: 'any_intel', selectors: [{ vendors: ['8086'] }] },
          { resourceName: 'qat', deviceType: 'accelerator', selectors: [{ devices: ['37c9'] }] },
        ],
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  type Report = {
    pools: { name: string; deviceType: string; devices: string[] }[];
    devices: {
      id: string;
      deviceType: string | null;
      pool: string | null;
      selector: number | null;
      alsoMatched: string[];
      excluded: string | null;
      misses: { pool: string; selector: number; key: string }[];
      reason: string;
    }[];
    defaultRouteChecked: boolean;
  };

  it('--json: every device of the lab tree with its pool or why none takes it, and every pool with its devices', () => {
    const r = onLab('pools', '--config', configFile, '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    const [intel, ib] = lab.pfs;
    const byId = new Map(report.devices.map((d) => [d.id, d]));
    expect(byId.get(intel!.address)).toMatchObject({
      deviceType: 'netDevice',
      pool: null,
      excluded: 'a PF with 4 VFs (its VFs are offered instead)',
    });
    expect(byId.get(lab.vf(0, 0).address)).toMatchObject({
      pool: 'intel.com/intel_vf',
      selector: 0,
      alsoMatched: ['intel.com/any_intel'],
    });
    expect(byId.get(lab.vf(0, 2).address)).toMatchObject({ pool: 'intel.com/any_intel', alsoMatched: [] });
    // The second selector object of `dpdk` takes the vfio-pci VF.
    expect(byId.get(lab.vf(0, 3).address)).toMatchObject({ pool: 'intel.com/dpdk', selector: 1 });
    expect(byId.get(ib!.address)!.reason).toBe('a PF with 2 VFs (its VFs are offered instead)');
    expect(byId.get(lab.vf(1, 0).address)).toMatchObject({ pool: 'nvidia.com/ib', selector: 0 });
    for (const d of report.devices.filter((x) => x.deviceType === null)) {
      expect(d).toMatchObject({ pool: null, reason: expect.stringMatching(/^not a network \(0x02\) or accelerator/) });
    }
    expect(report.devices.some((d) => d.deviceType === null)).toBe(true);
    expect(report.pools).toEqual([
      { name: 'intel.com/intel_vf', deviceType: 'netDevice', devices: [lab.vf(0, 0).address, lab.vf(0, 1).address] },
      { name: 'intel.com/dpdk', deviceType: 'netDevice', devices: [lab.vf(0, 3).address] },
      { name: 'nvidia.com/ib', deviceType: 'netDevice', devices: [lab.vf(1, 0).address, lab.vf(1, 1).address] },
      { name: 'intel.com/any_intel', deviceType: 'netDevice', devices: [lab.vf(0, 2).address] },
      { name: 'intel.com/qat', deviceType: 'accelerator', devices: [] },
    ]);
    expect(report.defaultRouteChecked).toBe(false);
  });

  it('a device no selector takes lists each selector object and the key it failed', () => {
    const file = join(dir, 'narrow.json');
    writeFileSync(
      file,
      JSON.stringify({
        resourceList: [
          { resourceName: 'a', selectors: [{ vendors: ['15b3'] }, { drivers: ['vfio-pci'] }] },
          { resourceName: 'b', selectors: [{ pfNames: [`${lab.pfs[0]!.netdev}#3`] }] },
        ],
      }),
    );
    const report = JSON.parse(onLab('pools', '--config', file, '--json').stdout) as Report;
    const vf1 = report.devices.find((d) => d.id === lab.vf(0, 1).address)!;
    expect(vf1.pool).toBeNull();
    expect(vf1.misses).toEqual([
      { pool: 'intel.com/a', selector: 0, key: 'vendors' },
      { pool: 'intel.com/a', selector: 1, key: 'drivers' },
      { pool: 'intel.com/b', selector: 0, key: 'pfNames' },
    ]);
    expect(vf1.reason).toBe(
      'no selector matches (intel.com/a[0]: vendors, intel.com/a[1]: drivers, intel.com/b: pfNames)',
    );
  });

  it('table: one row per network/accelerator device, pool or reason, then the pools; --all adds the rest', () => {
    const r = onLab('pools', '--config', configFile);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^DEVICE\s+TYPE\s+ID\s+DRIVER\s+NETDEV\s+POOL\s+WHY$/);
    const row = (address: string) => lines.find((l) => l.startsWith(`${address} `));
    expect(row(lab.vf(0, 0).address)).toMatch(
      new RegExp(
        `netDevice\\s+8086:154c\\s+iavf\\s+${lab.vf(0, 0).netdev}\\s+intel.com/intel_vf\\s+selectors\\[0\\]; also matches intel.com/any_intel \\(one pool per device\\)$`,
      ),
    );
    expect(row(lab.vf(0, 3).address)).toMatch(
      /vfio-pci\s+-\s+intel.com\/dpdk\s+selectors\[1\]; also matches intel.com\/any_intel/,
    );
    expect(row(lab.pfs[0]!.address)).toMatch(/-\s+a PF with 4 VFs \(its VFs are offered instead\)$/);
    // Two PFs with 4 + 2 VFs; the root ports are summarised.
    expect(lines.filter((l) => /^0000:/.test(l))).toHaveLength(1 + 4 + 1 + 2);
    expect(r.stdout).toMatch(
      /^\(\d+ other PCI functions are neither network \(0x02\) nor accelerator \(0x12\) devices; --all lists them\)$/m,
    );
    expect(r.stdout).toContain('pool intel.com/intel_vf (netDevice): 2 devices\n');
    expect(r.stdout).toContain('pool intel.com/any_intel (netDevice): 1 device\n');
    expect(r.stdout).toContain(
      'pool intel.com/qat (accelerator): no devices (the device plugin does not advertise an empty pool)\n',
    );
    expect(r.stdout).toMatch(/^note: default routes not checked \(no netlink\)/m);

    const all = onLab('pools', '--config', configFile, '--all');
    const others = all.stdout.split('\n').filter((l) => /^0000:\S+\s+-\s/.test(l));
    expect(others.length).toBeGreaterThan(0);
    for (const l of others) expect(l).toMatch(/not a network \(0x02\) or accelerator \(0x12\) device \(class 0x06\)$/);
    expect(all.stdout).not.toContain('--all lists them');
  });

  it('with netlink, a device whose netdev carries the IPv4 default route is never offered', () => {
    const uplink = lab.vf(0, 2).netdev!;
    let asked: unknown;
    const netlink = (): NodeNetlink => ({
      findLink: () => expect.fail('pools must not look up links by name'),
      listLinks: () => [{ index: 42, name: uplink }] as unknown as ReturnType<NodeNetlink['listLinks']>,
      listRoutes: ((opts: unknown) => {
        asked = opts;
        return [{ dst: 'default', index: 42, family: 4, table: 254 }];
      }) as unknown as NodeNetlink['listRoutes'],
    });
    const r = sriovctl(['pools', '--sysfs-root', lab.root, '--config', configFile, '--json'], '', netlink);
    expect(r.code, r.stderr).toBe(0);
    expect(asked).toEqual({ family: 4 });
    const report = JSON.parse(r.stdout) as Report;
    expect(report.defaultRouteChecked).toBe(true);
    expect(report.devices.find((d) => d.id === lab.vf(0, 2).address)).toMatchObject({
      pool: null,
      excluded: `carries the host's default route (${uplink})`,
    });
    expect(report.pools.find((p) => p.name === 'intel.com/any_intel')!.devices).toEqual([]);
  });

  it("config errors exit 1 with the device plugin's message; usage errors exit 2", () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        resourceList: [
          { resourceName: 'a', selectors: [{}] },
          { resourceName: 'a', selectors: [{}] },
        ],
      }),
    );
    const r = onLab('pools', '--config', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sriovctl pools: .*a/);
    expect(r.stdout).toBe('');
    const prefixed = onLab('pools', '--config', configFile, '--resource-prefix', 'example.com', '--json');
    expect((JSON.parse(prefixed.stdout) as Report).pools[0]!.name).toBe('example.com/intel_vf');
    expect(onLab('pools')).toMatchObject({ code: 2 });
    expect(onLab('pools', '--config', join(dir, 'missing.json'))).toMatchObject({ code: 2 });
  });
});

describe('sriovctl on this machine (read-only smoke test of the real /sys)', () => {
  it('pfs and vfs succeed and list only SR-IOV capable PFs and their VFs', () => {
    const pfs = sriovctl(['pfs', '--json', '--no-netlink']);
    expect(pfs.code, pfs.stderr).toBe(0);
    const parsed = JSON.parse(pfs.stdout) as { pfs: { totalVfs: number }[] };
    for (const pf of parsed.pfs) expect(pf.totalVfs).toBeGreaterThan(0);
    const vfs = sriovctl(['vfs', '--json', '--no-netlink', '--state-dir', state]);
    expect(vfs.code, vfs.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(vfs.stdout).vfs)).toBe(true);
  });
});

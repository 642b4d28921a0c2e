// The main job as assertions, on the lab's simulated SR-IOV node (2 PFs × 8 VFs, real netdevs): the real sriovdp
// bundle registers its pools with a kubelet stand-in over gRPC, Allocate hands out VFs with PCIDEVICE_* envs,
// the VF address goes into the netconf as Multus puts it, the real sriov bundle ADDs two pods, they ping each
// other over their VFs, and DEL + stop leave the node as it was. `ip -j` is the independent oracle.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './lib/paths.js';
import { LabStack, type PodAttachment, RESOURCE_PREFIX } from './lib/stack.js';

const reason = missingPrerequisites('e2e local lab (device plugin + sriov CNI)', [
  isRoot(),
  executable('nsenter'),
  executable('unshare'),
  executable('ip'),
  executable('ping'),
  executable('/usr/lib/cni/host-local'),
]);

function ipLink(name: string, netns?: string): { ifname: string; address: string; operstate: string } | undefined {
  const args = netns
    ? ['-n', netns.split('/').pop()!, '-j', 'link', 'show', 'dev', name]
    : ['-j', 'link', 'show', 'dev', name];
  try {
    return JSON.parse(execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))[0];
  } catch {
    return undefined;
  }
}

describe.skipIf(reason !== null)('local lab: device plugin → kubelet → Multus → sriov CNI', () => {
  let stack: LabStack;
  const pods: PodAttachment[] = [];
  const intel = `${RESOURCE_PREFIX}/intel_sriov_netdevice`;
  const mlnx = `${RESOURCE_PREFIX}/mlnx_sriov_netdevice`;

  beforeAll(async () => {
    stack = await LabStack.create();
  }, 120_000);
  afterAll(async () => {
    await stack?.destroy();
  });

  it('sriovdp registers one pool per vendor with every VF of its PF, healthy, with NUMA topology', async () => {
    await stack.startDevicePlugin();
    expect(stack.kubelet.registrations.map((r) => [r.version, r.resourceName, r.endpoint]).sort()).toEqual([
      ['v1beta1', intel, 'intel.com_intel_sriov_netdevice.sock'],
      ['v1beta1', mlnx, 'intel.com_mlnx_sriov_netdevice.sock'],
    ]);
    const pools = Object.fromEntries(stack.pools().map((p) => [p.resource, p.devices]));
    const [pf0, pf1] = stack.lab.pfs;
    expect(pools[intel]!.map((d) => d.id).sort()).toEqual(pf0!.vfs.map((v) => v.address).sort());
    expect(pools[mlnx]!.map((d) => d.id).sort()).toEqual(pf1!.vfs.map((v) => v.address).sort());
    for (const d of [...pools[intel]!, ...pools[mlnx]!]) expect(d.health).toBe('Healthy');
    expect(pools[intel]![0]!.numa).toEqual([pf0!.numaNode]);
    expect(pools[mlnx]![0]!.numa).toEqual([pf1!.numaNode]);
  });

  it('Allocate returns PCIDEVICE_* and a device-info file; the CNI ADDs each pod on its VF', async () => {
    pods.push(await stack.addPod('pod-a', 'intel_sriov_netdevice'));
    pods.push(await stack.addPod('pod-b', 'mlnx_sriov_netdevice'));
    const [a, b] = pods as [PodAttachment, PodAttachment];
    expect(a.env.name).toBe('PCIDEVICE_INTEL_COM_INTEL_SRIOV_NETDEVICE');
    expect(b.env.name).toBe('PCIDEVICE_INTEL_COM_MLNX_SRIOV_NETDEVICE');
    expect(a.vf.pfIndex).toBe(0);
    expect(b.vf.pfIndex).toBe(1);
    // The device plugin's device-info file for the allocated VF, as the NPWG spec names it.
    for (const p of pods) {
      const file = join(stack.deviceInfoDir, `${p.resource.replace('/', '-')}-${p.deviceId}-device.json`);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ type: 'pci', pci: { 'pci-address': p.deviceId } });
      // The VF left the host and is net1 in the pod, with its MAC, up.
      expect(ipLink(p.vf.netdev!)).toBeUndefined();
      const inPod = ipLink('net1', p.netns);
      expect(inPod).toMatchObject({ ifname: 'net1', address: p.vf.mac });
      expect(p.result).toMatchObject({
        cniVersion: '1.0.0',
        interfaces: [{ name: 'net1', mac: p.vf.mac, sandbox: p.netns }],
      });
      const ips = p.result.ips as { address: string }[];
      expect(ips.map((i) => i.address)).toEqual(p.addresses.map((x) => x.cidr));
      // The CNI cache names the VF, as Go's does.
      const cache = JSON.parse(readFileSync(join(stack.cniStateDir, `${p.containerId}-net1`), 'utf8'));
      expect(cache.deviceID).toBe(p.deviceId);
    }
    expect(a.addresses[0]!.address).not.toBe(b.addresses[0]!.address);
  });

  it('the two pods ping each other over their VFs; an unused address does not answer', async () => {
    const [a, b] = pods as [PodAttachment, PodAttachment];
    expect(await stack.ping(a, b)).toMatchObject({ ok: true, received: 3 });
    expect(await stack.ping(b, a)).toMatchObject({ ok: true, received: 3 });
    const ghost = { ...b, name: 'ghost', addresses: [{ ...b.addresses[0]!, address: '10.56.217.250' }] };
    expect((await stack.ping(a, ghost, 1)).ok).toBe(false);
  });

  it('sriovctl (run in the node view) shows which pod netns holds each VF, from the CNI state', async () => {
    const r = await stack.sriovctl(['vfs', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const { vfs, notes } = JSON.parse(r.stdout) as {
      vfs: { address: string; driver: string; holders: { plugin: string; netns: string; netnsAlive: boolean }[] }[];
      notes: string[];
    };
    expect(vfs).toHaveLength(16);
    for (const p of pods) {
      expect(vfs.find((v) => v.address === p.deviceId)!.holders).toEqual([
        expect.objectContaining({
          plugin: 'sriov',
          netns: p.netns,
          netnsAlive: true,
          attachment: `${p.containerId}-net1`,
        }),
      ]);
    }
    expect(vfs.filter((v) => v.holders.length > 0)).toHaveLength(2);
    // The lab's PFs are veths: the kernel reports no VF list, and sriovctl says so instead of inventing knobs.
    expect(notes).toContain(
      `${stack.lab.pfs[0]!.netdev}: the PF driver reports no VF list (IFLA_VFINFO_LIST); VF knobs unknown`,
    );
    // The bundle carries the package version.
    const version = JSON.parse(readFileSync(join(repoRoot(), 'apps/sriovctl/package.json'), 'utf8')).version;
    expect((await stack.sriovctl(['--version'])).stdout).toBe(`sriovctl version ${version}\n`);
    const pfs = await stack.sriovctl(['pfs']);
    expect(pfs.stdout).toMatch(new RegExp(`${stack.lab.pfs[1]!.address}\\s+${stack.lab.pfs[1]!.netdev}\\s+15b3:1017`));
  });

  it('a second pod on the same pool gets a different VF', async () => {
    const c = await stack.addPod('pod-c', 'intel_sriov_netdevice');
    pods.push(c);
    expect(c.deviceId).not.toBe(pods[0]!.deviceId);
    expect(await stack.ping(c, pods[0]!)).toMatchObject({ ok: true });
  });

  it('DEL returns every VF to the host with its name and MAC; stopping sriovdp removes its sockets', async () => {
    for (const p of [...pods].reverse()) {
      await stack.deletePod(p);
      expect(ipLink(p.vf.netdev!)).toMatchObject({ ifname: p.vf.netdev, address: p.vf.mac });
      expect(existsSync(p.netns)).toBe(false);
      expect(existsSync(join(stack.cniStateDir, `${p.containerId}-net1`))).toBe(false);
    }
    expect(await stack.stopDevicePlugin()).toBe(0);
    expect(readdirSync(stack.kubeletDir).filter((f) => f !== 'kubelet.sock')).toEqual([]);
    expect(existsSync(stack.deviceInfoDir) ? readdirSync(stack.deviceInfoDir) : []).toEqual([]);
  });
});

describe.skipIf(reason !== null)("local lab on a host without IPAM plugins or ping (the demo's fallbacks)", () => {
  let stack: LabStack;

  beforeAll(async () => {
    stack = await LabStack.create({ lab: { pfs: [{ model: 'intel-xxv710', vfs: 2 }] }, ipam: 'none', pinger: 'udp' });
    await stack.startDevicePlugin({
      resourceList: [{ resourceName: 'intel_sriov_netdevice', selectors: [{ drivers: ['iavf'] }] }],
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.destroy();
  });

  it('L2-mode pods with addresses set over netlink exchange UDP echoes over their VFs; a wrong address gets none', async () => {
    const a = await stack.addPod('pod-a', 'intel_sriov_netdevice');
    const b = await stack.addPod('pod-b', 'intel_sriov_netdevice');
    expect(a.conf.ipam).toBeUndefined();
    expect(a.result.ips ?? []).toEqual([]);
    expect(a.addresses.map((x) => x.cidr)).toEqual(['10.56.217.101/24']);
    expect(b.addresses.map((x) => x.cidr)).toEqual(['10.56.217.102/24']);
    expect(await stack.ping(a, b)).toMatchObject({ ok: true, received: 3, transmitted: 3 });
    expect(await stack.ping(b, a)).toMatchObject({ ok: true, received: 3 });
    const ghost = { ...b, addresses: [{ ...b.addresses[0]!, address: '10.56.217.250' }] };
    expect((await stack.ping(a, ghost, 1)).ok).toBe(false);
    for (const p of [b, a]) await stack.deletePod(p);
    expect(ipLink(a.vf.netdev!)).toMatchObject({ ifname: a.vf.netdev, address: a.vf.mac });
  });
});

describe.skipIf(reason !== null)('local lab, InfiniBand: device plugin pool by link type → ib-sriov CNI', () => {
  let stack: LabStack;
  const resource = `${RESOURCE_PREFIX}/mlnx_ib`;

  beforeAll(async () => {
    stack = await LabStack.create({ lab: { pfs: [{ model: 'mlx5-cx6-ib', vfs: 2 }] } });
    await stack.startDevicePlugin({
      resourceList: [{ resourceName: 'mlnx_ib', selectors: [{ vendors: ['15b3'], linkTypes: ['infiniband'] }] }],
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.destroy();
  });

  it('the IB VFs form the pool; ib-sriov ADDs the allocated one and sriovctl names its pod from the ib-sriov cache', async () => {
    const pf = stack.lab.pfs[0]!;
    expect(stack.pools()).toEqual([
      { resource, devices: pf.vfs.map((v) => expect.objectContaining({ id: v.address, health: 'Healthy' })) },
    ]);
    const pod = await stack.addPod('pod-ib', 'mlnx_ib', 'ib-sriov');
    expect(pod.env.name).toBe('PCIDEVICE_INTEL_COM_MLNX_IB');
    expect(ipLink(pod.vf.netdev!)).toBeUndefined();
    expect(ipLink('net1', pod.netns)).toMatchObject({ ifname: 'net1' });
    const r = await stack.sriovctl(['vfs', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const { vfs } = JSON.parse(r.stdout) as { vfs: { address: string; holders: Record<string, unknown>[] }[] };
    expect(vfs.find((v) => v.address === pod.deviceId)!.holders).toEqual([
      expect.objectContaining({ plugin: 'ib-sriov', netns: pod.netns, podIfName: 'net1', netnsAlive: true }),
    ]);
    await stack.deletePod(pod);
    expect(ipLink(pod.vf.netdev!)).toMatchObject({ ifname: pod.vf.netdev });
    const after = JSON.parse((await stack.sriovctl(['vfs', '--json'])).stdout) as { vfs: { holders: unknown[] }[] };
    expect(after.vfs.every((v) => v.holders.length === 0)).toBe(true);
  });
});

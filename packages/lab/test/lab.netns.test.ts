// A 2-PF x 8-VF node with real netdevs: sysfs-pci reads it, two pods on two VFs really exchange packets, unmodified
// binaries see the fake devices through spawnInFakeSys, and destroy() leaves nothing behind.
// Oracles: `ip -j link` (independent of netlink-ops), /proc/self/mountinfo, the file system.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { addAddress, moveLink, setLinkUp } from '@sriov-ts/netlink-ops';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, INTEL_XXV710, type Lab, LabError } from '../src/index.js';

const reason = missingPrerequisites('lab (real netdevs, netns, mount namespace)', [
  isRoot(),
  executable('unshare'),
  executable('nsenter'),
  executable('mount'),
  executable('ping'),
  executable('ip'),
]);
const noHostDevice = missingPrerequisites('lab: the Go host-device peer plugin', [
  executable('/usr/lib/cni/host-device'),
]);

function hostLinkNames(): string[] {
  const links = JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as Array<{
    ifname: string;
  }>;
  return links.map((l) => l.ifname);
}

function hostLink(name: string): { ifname: string; address: string; master?: string; link?: string } {
  return JSON.parse(execFileSync('ip', ['-j', '-d', 'link', 'show', 'dev', name], { encoding: 'utf8' }))[0];
}

function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '');
}

function ping(netnsPath: string, address: string) {
  return spawnSync('nsenter', [`--net=${netnsPath}`, 'ping', '-c', '2', '-W', '2', '-i', '0.2', address], {
    encoding: 'utf8',
  });
}

describe.skipIf(reason !== null)('lab: 2 PFs x 8 VFs with real netdevs', () => {
  let lab: Lab;

  // The host's own mounts under /sys before any lab exists (tracefs, debugfs… vary from machine to machine).
  const sysMountsBefore = mountPoints().filter((p) => p.startsWith('/sys/'));
  beforeAll(async () => {
    lab = await createLab({
      pfs: [
        { model: 'intel-xxv710', vfs: 8, numaNode: 0 },
        { model: 'mlx5-cx5-eth', vfs: 8, numaNode: 1, dpdkVfs: [7], subfunctions: 1 },
      ],
    });
  });

  afterAll(async () => {
    await lab?.destroy();
  });

  it('is read correctly by sysfs-pci, and the real netdevs are the ones the fake sysfs names', () => {
    const sysfs = lab.sysfs;
    const names = new Set(hostLinkNames());
    expect(lab.bridge).not.toBeNull();
    expect(names.has(lab.bridge!)).toBe(true);
    for (const pf of lab.pfs) {
      const info = sysfs.deviceInfo(pf.address);
      expect(info.sriovNumVfs).toBe(8);
      expect(info.driver).toBe(pf.model.pfDriver);
      expect(info.numaNode).toBe(pf.index);
      expect(info.netdevs).toEqual([pf.netdev]);
      expect(info.vfs.map((v) => v.address)).toEqual(pf.vfs.map((v) => v.address));
      // The PF netdev is a real veth whose peer sits on the lab bridge.
      expect(hostLink(pf.netdev).address).toBe(sysfs.netdevMacAddress(pf.netdev));
      expect(hostLink(`${pf.netdev}x`).master).toBe(lab.bridge);
      for (const vf of pf.vfs) {
        const vfInfo = sysfs.deviceInfo(vf.address);
        expect(vfInfo.physfn).toBe(pf.address);
        expect(vfInfo.vfIndex).toBe(vf.index);
        expect(vfInfo.numaNode).toBe(pf.index);
        expect(vfInfo.driver).toBe(vf.driver);
        expect(vfInfo.pfNetdevs).toEqual([pf.netdev]);
        if (vf.netdev === null) {
          expect(vfInfo.driver).toBe('vfio-pci');
          expect(vfInfo.netdevs).toEqual([]);
          expect(vfInfo.vfioDevice).toBe(`/dev/vfio/${vf.iommuGroup}`);
          continue;
        }
        expect(vfInfo.netdevs).toEqual([vf.netdev]);
        expect(sysfs.netdevPciAddress(vf.netdev)).toBe(vf.address);
        const real = hostLink(vf.netdev);
        expect(real.address).toBe(vf.mac);
        expect(real.address).toBe(sysfs.netdevMacAddress(vf.netdev));
        expect(real.link).toBe(pf.netdev); // a macvlan on its PF
      }
    }
    expect(lab.pfs[1]!.vfs[0]!.driver).toBe('mlx5_core');
    expect(lab.pfs[0]!.vfs[0]!.driver).toBe('iavf');
  });

  it('lets two pods on VFs of different PFs, and of the same PF, exchange packets', () => {
    const podA = lab.createPodNetns('a');
    const podB = lab.createPodNetns('b');
    const podC = lab.createPodNetns('c');
    expect(podA).toBe(`/var/run/netns/${lab.prefix}a`);
    const attach = (vfNetdev: string, pod: string, cidr: string) => {
      moveLink(vfNetdev, { toNetns: pod, newName: 'net1' });
      addAddress('net1', cidr, { netns: pod });
      setLinkUp('net1', { netns: pod });
    };
    attach(lab.vf(0, 0).netdev!, podA, '10.77.0.1/24');
    attach(lab.vf(1, 3).netdev!, podB, '10.77.0.2/24');
    attach(lab.vf(0, 5).netdev!, podC, '10.77.0.3/24');

    const crossPf = ping(podA, '10.77.0.2');
    expect(crossPf.stderr).toBe('');
    expect(crossPf.status).toBe(0);
    expect(crossPf.stdout).toMatch(/2 packets transmitted, 2 received/);
    const samePf = ping(podC, '10.77.0.1');
    expect(samePf.status).toBe(0);
    // An address nobody has does not answer: the check above can fail.
    expect(ping(podA, '10.77.0.99').status).not.toBe(0);
  });

  it('runs unmodified binaries against the fake sysfs, without changing the host /sys', async () => {
    const pf = lab.pfs[0]!;
    const vf = pf.vfs[2]!;
    const ls = await lab.spawnInFakeSys('ls', ['/sys/bus/pci/devices']);
    expect(ls.status).toBe(0);
    expect(ls.stdout.trim().split('\n')).toEqual(lab.sysfs.listPciDevices());
    const readlink = await lab.spawnInFakeSys('readlink', ['-f', `/sys/class/net/${vf.netdev}/device`]);
    expect(readlink.stdout.trim()).toBe(`/sys/devices/pci0000:00/${pf.bridgeAddress}/${vf.address}`);
    const numvfs = await lab.spawnInFakeSys('cat', [`/sys/class/net/${pf.netdev}/device/sriov_numvfs`]);
    expect(numvfs.stdout).toBe('8\n');
    const physfn = await lab.spawnInFakeSys('ls', [`/sys/bus/pci/devices/${vf.address}/physfn/net`]);
    expect(physfn.stdout.trim()).toBe(pf.netdev);
    const sf = lab.pfs[1]!.subfunctions[0]!;
    const aux = await lab.spawnInFakeSys('ls', [`/sys/bus/auxiliary/devices/${sf.name}/net`]);
    expect(aux.stdout.trim()).toBe(sf.netdev);

    // Node, given a script on stdin, sees the fake classes and /dev/vfio, and its writes land in the fake tree.
    const dpdk = lab.vf(1, 7);
    const script = `
      const fs = require('node:fs');
      fs.writeFileSync('/sys/bus/pci/drivers/iavf/unbind', ${JSON.stringify(vf.address)});
      console.log(JSON.stringify({
        ib: fs.readdirSync('/sys/class/infiniband').sort(),
        vfio: fs.existsSync(${JSON.stringify(dpdk.vfioDevice)}),
        driver: fs.readlinkSync('/sys/bus/pci/devices/${dpdk.address}/driver'),
        devNull: (fs.writeFileSync('/dev/null', 'x'), true),
      }));`;
    const node = await lab.spawnInFakeSys(process.execPath, ['-'], { input: script });
    expect(node.stderr).toBe('');
    const seen = JSON.parse(node.stdout) as { ib: string[]; vfio: boolean; driver: string; devNull: boolean };
    expect(seen.ib).toEqual(readdirSync(`${lab.root}/sys/class/infiniband`).sort());
    expect(seen.ib.length).toBeGreaterThan(0);
    expect(seen.vfio).toBe(true);
    expect(seen.driver).toBe('../../../../bus/pci/drivers/vfio-pci');
    expect(seen.devNull).toBe(true);
    expect(readFileSync(`${lab.root}/sys/bus/pci/drivers/iavf/unbind`, 'utf8')).toBe(vf.address);
    expect(lab.settleDriverWrites()).toEqual([{ driver: 'iavf', operation: 'unbind', address: vf.address }]);

    // A netns created after the namespace started is visible inside as nsfs (slave propagation).
    const late = lab.createPodNetns('late');
    const fsType = await lab.spawnInFakeSys('stat', ['-f', '-c', '%T', late]);
    expect(fsType.stdout.trim()).toBe('nsfs');

    // The host view is untouched.
    expect(existsSync(`/sys/bus/pci/devices/${vf.address}`)).toBe(false);
    expect(mountPoints().filter((p) => p.startsWith('/sys/') && !sysMountsBefore.includes(p))).toEqual([]);
    expect(mountPoints().some((p) => p.startsWith(lab.dir))).toBe(false);
  });

  it.skipIf(noHostDevice !== null)(
    'lets the unmodified Go host-device plugin find a VF by pciBusID through the fake sysfs',
    async () => {
      const vf = lab.vf(1, 5);
      const pod = lab.createPodNetns('hd');
      const conf = JSON.stringify({
        cniVersion: '1.0.0',
        name: 'lab-hostdev',
        type: 'host-device',
        pciBusID: vf.address,
        ipam: { type: 'static', addresses: [{ address: '10.78.0.5/24' }] },
      });
      const env = {
        PATH: process.env.PATH,
        CNI_COMMAND: 'ADD',
        CNI_CONTAINERID: `${lab.prefix}hd`,
        CNI_NETNS: pod,
        CNI_IFNAME: 'net1',
        CNI_PATH: '/usr/lib/cni',
      };
      const add = await lab.spawnInFakeSys('/usr/lib/cni/host-device', [], { env, input: conf });
      expect(add.stderr).toBe('');
      expect(add.status).toBe(0);
      expect(JSON.parse(add.stdout).ips[0].address).toBe('10.78.0.5/24');
      // Outside the fake view the same call cannot find the device.
      const outside = spawnSync('/usr/lib/cni/host-device', [], { env, input: conf, encoding: 'utf8' });
      expect(outside.status).not.toBe(0);
      expect(outside.stdout).toContain(vf.address);
      expect(hostLinkNames()).not.toContain(vf.netdev);
      const inPod = JSON.parse(
        execFileSync('nsenter', [`--net=${pod}`, 'ip', '-j', 'addr', 'show', 'dev', 'net1'], { encoding: 'utf8' }),
      )[0] as { addr_info: Array<{ local: string }> };
      expect(inPod.addr_info.map((a) => a.local)).toContain('10.78.0.5');
      const del = await lab.spawnInFakeSys('/usr/lib/cni/host-device', [], {
        env: { ...env, CNI_COMMAND: 'DEL' },
        input: conf,
      });
      expect(del.status).toBe(0);
      expect(hostLinkNames()).toContain(vf.netdev);
    },
  );

  it('destroy() removes every link, netns, mount, process and directory', async () => {
    const owner = JSON.parse(readFileSync(`${lab.dir}/owner.json`, 'utf8')) as { holderPid: number | null };
    expect(owner.holderPid).not.toBeNull();
    expect(existsSync(`/proc/${owner.holderPid}`)).toBe(true);
    await lab.destroy();
    expect(hostLinkNames().filter((n) => n.startsWith(lab.prefix))).toEqual([]);
    expect(readdirSync('/var/run/netns').filter((n) => n.startsWith(lab.prefix))).toEqual([]);
    expect(mountPoints().filter((p) => p.includes(lab.prefix) || p.startsWith(lab.dir))).toEqual([]);
    expect(existsSync(lab.dir)).toBe(false);
    expect(existsSync(`/proc/${owner.holderPid}`)).toBe(false);
    await lab.destroy(); // idempotent
  });
});

describe.skipIf(reason !== null)('lab: a set-up that fails half-way', () => {
  it('undoes what it created and names the lab in the error', async () => {
    // A VF offset past the last routing ID fails after the bridge and the PF veth exist.
    const broken = { ...INTEL_XXV710, name: 'broken', vfOffset: 0xffff };
    const error = await createLab({ pfs: [{ model: broken, vfs: 1 }] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LabError);
    const prefix = /^lab (xl[0-9a-z]{4}): set-up failed: /.exec((error as LabError).message)?.[1];
    expect(prefix).toBeDefined();
    expect((error as LabError).message).toContain('PCI routing ID offset');
    expect(hostLinkNames().filter((n) => n.startsWith(prefix!))).toEqual([]);
    expect(existsSync(`/tmp/sriov-lab-${prefix!.slice(2)}`)).toBe(false);
  });
});

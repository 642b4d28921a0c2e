// Production wiring of the Ops seam: sysfs-pci for sysfs, netlink-ops for the kernel, ipam-client for IPAM,
// VfStateDir (@sriov-ts/cni) for /var/lib/cni/sriov. Nothing here decides anything; plugin.ts does.
import { type Logger, netlinkNetdevOps, netnsState, sameFile, VfStateDir } from '@sriov-ts/cni';
import { announce, configureInterface, type IpamDelegation, ipamAdd, ipamCheck, ipamDel } from '@sriov-ts/ipam-client';
import {
  createNetlinkOps,
  NetlinkError,
  type NetlinkOps,
  type NetlinkTransport,
  writeSysctl,
} from '@sriov-ts/netlink-ops';
import { createSysfs } from '@sriov-ts/sysfs-pci';
import { fromGoJson, toGoJson } from './cache.js';
import { ETH_P_8021AD, type KnobChange } from './knobs.js';
import type { Ops, VfLocation } from './ops.js';

const LINK_STATE_NAMES = ['auto', 'enable', 'disable'] as const;

export interface NodeOpsOptions {
  /** netns-ops transport; tests pass a recording one to stand in for a PF with a VF list. */
  transport?: NetlinkTransport;
  /** Root of /sys (tests: the lab's fake sysfs). */
  sysRoot?: string;
  stateDir?: string;
  ipam?: IpamDelegation;
  env?: Readonly<Record<string, string | undefined>>;
  log: Logger;
}

export function nodeOps(o: NodeOpsOptions): Ops {
  const nl = createNetlinkOps(o.transport ? { transport: o.transport } : {});
  const sysfs = createSysfs(o.sysRoot === undefined ? {} : { root: o.sysRoot });
  const state = new VfStateDir(o.stateDir);
  const parse = (text: string | undefined) => (text === undefined ? undefined : fromGoJson(JSON.parse(text)));
  const ipam = () => {
    if (!o.ipam) throw new Error('no ipam configured');
    return o.ipam;
  };
  const exec = { env: o.env ?? process.env, logger: o.log };

  return {
    locateVf(pciAddress): VfLocation {
      if (!sysfs.hasPciDevice(pciAddress))
        throw new Error(`lstat /sys/bus/pci/devices/${pciAddress}: no such file or directory`);
      const pf = sysfs.pfNetdevsOfVf(pciAddress)[0];
      if (pf === undefined) throw new Error('PF network device not found');
      const vfIndex = sysfs.vfIndex(pciAddress);
      if (vfIndex === null) throw new Error(`unable to get VF ID with PF: ${pf} and VF pci address ${pciAddress}`);
      return {
        pciAddress,
        pf,
        vfIndex,
        netdev: sysfs.netdevs(pciAddress)[0],
        driver: sysfs.driver(pciAddress) ?? undefined,
      };
    },
    vfExists: (pciAddress) => sysfs.hasPciDevice(pciAddress) && sysfs.vfIndex(pciAddress) !== null,
    pfByName(pf) {
      const address = sysfs.netdevPciAddress(pf);
      if (address === null) return undefined;
      return { pciAddress: address, driver: sysfs.driver(address) ?? undefined, vfs: sysfs.vfs(address) };
    },
    netnsState,
    sameFile,
    ...netlinkNetdevOps(nl),
    setSysctl: (netns, path, value) => writeSysctl(path, value, { netns }),
    readVf(pf, vfIndex) {
      const link = nl.getLink(pf, { vfInfo: true });
      const v = link.vfs?.find((x) => x.vf === vfIndex);
      if (!v) return undefined;
      const proto = typeof v.vlanProto === 'number' ? v.vlanProto : v.vlanProto === '802.1ad' ? ETH_P_8021AD : 0x8100;
      const ls = typeof v.linkState === 'number' ? v.linkState : LINK_STATE_NAMES.indexOf(v.linkState ?? 'auto');
      return {
        adminMac: v.mac ?? '',
        vlan: v.vlan ?? 0,
        vlanQoS: v.qos ?? 0,
        vlanProto: proto,
        spoofchk: v.spoofchk ?? false,
        trust: v.trust ?? false,
        minTxRate: v.minTxRate ?? 0,
        maxTxRate: v.maxTxRate ?? v.txRate ?? 0,
        linkState: Math.max(ls, 0),
        pfMtu: link.mtu,
      };
    },
    pfMtu: (pf) => nl.getLink(pf).mtu,
    setVfKnob(pf, vf, c) {
      setVfKnob(nl, pf, vf, c);
    },
    lockVf: (pci) => state.lock(pci),
    lockPf: (pci) => state.lock(pci, 'pf_lock'),
    readAllocation: (pci) => state.readAllocation(pci),
    writeAllocation: (pci, netns) => state.writeAllocation(pci, netns),
    deleteAllocation: (pci) => state.deleteAllocation(pci),
    readCache: (k) => parse(state.read('cache', k)),
    writeCache: (k, c) => state.write('cache', k, JSON.stringify(toGoJson(c))),
    deleteCache: (k) => state.delete('cache', k),
    readPending: (k) => parse(state.read('pending', k)),
    writePending: (k, c) => state.write('pending', k, JSON.stringify(toGoJson(c))),
    deletePending: (k) => state.delete('pending', k),
    listCacheKeys: () => state.list('cache'),
    listPendingKeys: () => state.list('pending'),
    ipamAdd: () => ipamAdd(ipam(), exec),
    ipamDel: () => ipamDel(ipam(), exec),
    ipamCheck: () => ipamCheck(ipam(), exec),
    async configureIp(netns, ifName, result) {
      await configureInterface(
        netns,
        ifName,
        {
          ...result,
          interfaces: [{ name: ifName, sandbox: netns }],
          ips: result.ips.map((ip) => ({ ...ip, interface: 0 })),
        },
        { logger: o.log },
      );
    },
    async announce(netns, ifName, result) {
      await announce(netns, ifName, result, { logger: o.log });
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    log: (level, msg, fields) => o.log.log(level, msg, fields),
  };
}

/**
 * One PF-side knob in one RTM_SETLINK. *Beyond* the Go plugin: a driver that rejects the 802.1Q VLAN in its
 * protocol form (IFLA_VF_VLAN_LIST; #285/#392) gets the plain IFLA_VF_VLAN, which means the same thing.
 */
function setVfKnob(nl: NetlinkOps, pf: string, vf: number, c: KnobChange): void {
  if (c.kind === 'vlan') {
    const proto = c.proto === ETH_P_8021AD ? '802.1ad' : '802.1Q';
    try {
      nl.setLink(pf, { vf: { vf, vlan: { vlan: c.vlan, qos: c.qos, proto } } });
    } catch (e) {
      const rejected = e instanceof NetlinkError && (e.code === 'EOPNOTSUPP' || e.code === 'EINVAL');
      if (!rejected || proto !== '802.1Q') throw e;
      nl.setLink(pf, { vf: { vf, vlanLegacy: { vlan: c.vlan, qos: c.qos } } });
    }
    return;
  }
  const changes =
    c.kind === 'mac'
      ? { mac: c.mac }
      : c.kind === 'rate'
        ? { rate: { minTxRate: c.min, maxTxRate: c.max } }
        : c.kind === 'spoofchk'
          ? { spoofchk: c.on }
          : c.kind === 'trust'
            ? { trust: c.on }
            : { linkState: LINK_STATE_NAMES[c.state] ?? 'auto' };
  nl.setLink(pf, { vf: { vf, ...changes } });
}

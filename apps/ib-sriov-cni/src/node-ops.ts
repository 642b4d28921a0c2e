// Production wiring of the IbOps seam: sysfs-pci for sysfs (including the GUID read from the VF's IPoIB address
// file and the rebind), netlink-ops for rtnetlink and RDMA netlink, ipam-client for IPAM, the state files and
// the global lock of @sriov-ts/cni. Nothing here decides anything; plugin.ts does.
import {
  AttachmentStateStore,
  acquireExclusiveLock,
  IB_SRIOV_LOCK_PATH,
  IB_SRIOV_STATE_DIR,
  type Logger,
  netlinkNetdevOps,
  netnsState,
} from '@sriov-ts/cni';
import { configureInterface, ipamAdd, ipamCheck, ipamDel, ipamDelegationFromStdin } from '@sriov-ts/ipam-client';
import { createNetlinkOps, NetlinkError, type NetlinkTransport } from '@sriov-ts/netlink-ops';
import { createSysfs } from '@sriov-ts/sysfs-pci';
import { fromGoJson, toGoJson } from './cache.js';
import type { IbOps } from './ops.js';

/** The plugin's own netns: where a released RDMA device goes back to. */
const HOST_NETNS = '/proc/self/ns/net';
const IPOIB_ADDRESS_OCTETS = 20;

export interface NodeOpsOptions {
  /** Tests: a recording transport standing in for the IB PF and RDMA netlink. */
  transport?: NetlinkTransport;
  /** Root of /sys (tests: the lab's fake sysfs). */
  sysRoot?: string;
  stateDir?: string;
  lockPath?: string;
  /** This invocation's stdin (delegated to IPAM unchanged) and environment. */
  stdin: Uint8Array;
  env?: Readonly<Record<string, string | undefined>>;
  log: Logger;
}

export function nodeOps(o: NodeOpsOptions): IbOps {
  const nl = createNetlinkOps(o.transport ? { transport: o.transport } : {});
  const sysfs = createSysfs(o.sysRoot === undefined ? {} : { root: o.sysRoot });
  const store = new AttachmentStateStore(o.stateDir ?? IB_SRIOV_STATE_DIR);
  const ipam = (type: string) => ({ ...ipamDelegationFromStdin(o.stdin), type });
  const exec = { env: o.env ?? process.env, logger: o.log };

  return {
    hasDevice: (pci) => sysfs.hasPciDevice(pci),
    isVf: (pci) => sysfs.isVf(pci),
    driver: (pci) => sysfs.driver(pci) ?? undefined,
    locateVf(pci) {
      const pf = sysfs.pfNetdevsOfVf(pci)[0];
      if (pf === undefined) throw new Error(`no PF netdev for VF ${pci}`);
      const vfIndex = sysfs.vfIndex(pci);
      if (vfIndex === null) throw new Error(`unable to get VF ID with PF: ${pf} and VF pci address ${pci}`);
      return { pf, vfIndex };
    },
    vfNetdev: (pci) => sysfs.netdevs(pci)[0],
    netdevGuid(netdev) {
      const octets = sysfs.netdevMacAddress(netdev)?.split(':');
      if (octets?.length !== IPOIB_ADDRESS_OCTETS) return undefined;
      return octets.slice(12).join(':').toLowerCase();
    },
    rdmaDevices: (pci) => sysfs.rdmaDevices(pci),
    rebindVf: (pci) => void sysfs.rebindDriver(pci),
    setVfGuid: (p, which, guid) =>
      kernelSays(`failed to set vf ${p.vfIndex} ${which} GUID ${guid}`, () =>
        nl.setVfGuid(p.pf, p.vfIndex, which, guid),
      ),
    setVfLinkState: (p, state) =>
      kernelSays(`failed to set vf ${p.vfIndex} link state to ${state}`, () =>
        nl.setVfLinkState(p.pf, p.vfIndex, state),
      ),
    netnsState,
    ...netlinkNetdevOps(nl),
    renameHostLink(name, newName) {
      nl.setLinkDown(name); // the kernel refuses to rename a running netdev (EBUSY)
      nl.renameLink(name, newName);
    },
    rdmaNetnsMode: () => nl.getRdmaNetnsMode(),
    moveRdmaToPod: (name, netns) => nl.moveRdmaDevice(name, { toNetns: netns }),
    moveRdmaToHost(name, netns) {
      try {
        nl.moveRdmaDevice(name, { netns, toNetns: HOST_NETNS });
        return true;
      } catch (e) {
        if (e instanceof NetlinkError && e.code === 'ENODEV') return false; // not in the pod (name lookup)
        throw e;
      }
    },
    async lock() {
      const held = await acquireExclusiveLock(o.lockPath ?? IB_SRIOV_LOCK_PATH);
      return () => held.release();
    },
    readCache(entry) {
      const bytes = store.readEntry(entry);
      return bytes === null ? undefined : fromGoJson(JSON.parse(bytes.toString('utf8')));
    },
    writeCache: (containerId, ifName, c) => store.writeJson(containerId, ifName, toGoJson(c)),
    deleteCache: (entry) => void store.deleteEntry(entry),
    listCacheEntries: () => store.list(),
    ipamAdd: (type) => ipamAdd(ipam(type), exec),
    ipamDel: (type) => ipamDel(ipam(type), exec),
    ipamCheck: (type) => ipamCheck(ipam(type), exec),
    async configureIp(netns, ifName, result) {
      const ips = result.ips.map((ip) => ({ ...ip, interface: 0 }));
      await configureInterface(netns, ifName, { ...result, interfaces: [{ name: ifName, sandbox: netns }], ips }, exec);
    },
    podAddresses: (netns, ifName) => nl.listAddresses({ netns, link: ifName }).map((a) => a.cidr),
    log: (level, msg, fields) => o.log.log(level, msg, fields),
  };
}

/** A PF-side refusal in the Go plugin's words: what it was doing, then the kernel's errno text. */
function kernelSays(doing: string, act: () => void): void {
  try {
    act();
  } catch (e) {
    if (e instanceof NetlinkError) throw new Error(`${doing}: ${e.description}`, { cause: e });
    throw e;
  }
}

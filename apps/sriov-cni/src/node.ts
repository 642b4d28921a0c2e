// What the flow (plugin.ts) works on: the node, as shared objects of the packages — sysfs-pci's sysfs,
// @sriov-ts/cni's netdev operations, PF-side VF knobs and VfStateDir (/var/lib/cni/sriov), ipam-client's delegation.
// Nothing here decides anything. Tests pass a fake sysfs root or a recording netlink transport, or wrap one object so
// that one of its methods fails (test-support's failingMethod).
import {
  type Logger,
  type NetdevOps,
  type NetlinkNetdevOps,
  type NetnsState,
  netlinkNetdevOps,
  netlinkVfKnobs,
  netnsState,
  type PodAddressing,
  podAddressing,
  type Result,
  sameFile,
  type VfKnobOps,
  VfStateDir,
} from '@sriov-ts/cni';
import { announce, configureInterface, type IpamDelegation, ipamAdd, ipamCheck, ipamDel } from '@sriov-ts/ipam-client';
import { createNetlinkOps, type NetlinkTransport, writeSysctl } from '@sriov-ts/netlink-ops';
import { createSysfs, type Sysfs } from '@sriov-ts/sysfs-pci';

export interface Node {
  sysfs: Pick<Sysfs, 'hasPciDevice' | 'pfNetdevsOfVf' | 'vfIndex' | 'netdevs' | 'driver' | 'netdevPciAddress' | 'vfs'>;
  netns: { state(path: string): NetnsState; sameFile(a: string, b: string): boolean };
  netdev: NetlinkNetdevOps &
    Pick<NetdevOps, 'setSysctl' | 'sleep'> & { addressing(netns: string, ifName: string): PodAddressing };
  /** The PF's view of its VFs (rtnetlink on the PF): read and set the PF-side knobs. */
  vfs: VfKnobOps;
  state: VfStateDir;
  /** Delegated with this invocation's raw stdin; `configure` applies a result in the pod, `announce` sends GARP/NA. */
  ipam: {
    add(): Promise<Result>;
    del(): Promise<void>;
    check(): Promise<void>;
    /** `ifindex`: the interface's, when just read (skips configureInterface's lookup). */
    configure(netns: string, ifName: string, result: Result, ifindex?: number): Promise<void>;
    announce(netns: string, ifName: string, result: Result): Promise<unknown>;
  };
  log: Logger;
}

export interface NodeOptions {
  /** netlink-ops transport; tests pass a recording one to stand in for a PF with a VF list. */
  transport?: NetlinkTransport;
  /** Root of /sys (tests: the lab's fake sysfs). */
  sysRoot?: string;
  stateDir?: string;
  ipam?: IpamDelegation;
  env?: Readonly<Record<string, string | undefined>>;
  log: Logger;
}

export function nodeOf(o: NodeOptions): Node {
  const nl = createNetlinkOps(o.transport ? { transport: o.transport } : {});
  const exec = { env: o.env ?? process.env, logger: o.log };
  const delegation = () => {
    if (!o.ipam) throw new Error('no ipam configured');
    return o.ipam;
  };
  return {
    sysfs: createSysfs(o.sysRoot === undefined ? {} : { root: o.sysRoot }),
    netns: { state: netnsState, sameFile },
    netdev: {
      ...netlinkNetdevOps(nl),
      setSysctl: (netns, path, value) => writeSysctl(path, value, { netns }),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      addressing: (netns, ifName) => podAddressing(nl, netns, ifName),
    },
    vfs: netlinkVfKnobs(nl),
    state: new VfStateDir(o.stateDir),
    ipam: {
      add: () => ipamAdd(delegation(), exec),
      del: () => ipamDel(delegation(), exec),
      check: () => ipamCheck(delegation(), exec),
      configure: (netns, ifName, r, ifindex) => {
        const ips = r.ips.map((ip) => ({ ...ip, interface: 0 }));
        const result = { ...r, interfaces: [{ name: ifName, sandbox: netns }], ips };
        return configureInterface(netns, ifName, result, { logger: o.log, ...(ifindex ? { ifindex } : {}) });
      },
      announce: (netns, ifName, r) => announce(netns, ifName, r, { logger: o.log }),
    },
    log: o.log,
  };
}

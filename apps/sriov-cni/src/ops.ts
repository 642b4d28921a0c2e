// The seam between the plugin's flow (plugin.ts) and the node: every operation that touches the kernel, sysfs,
// the state directory or a delegated IPAM plugin. Production wiring lives in node-ops.ts; tests run the same
// flow in-process with a wrapper that fails a chosen step (no test hook exists in the shipped executable).

import type { NetdevOps, NetnsState, Result } from '@sriov-ts/cni';
import type { AttachmentCache } from './cache.js';
import type { KnobChange, VfKnobState } from './knobs.js';

export interface VfLocation {
  pciAddress: string;
  /** PF netdev name (first entry of physfn/net). */
  pf: string;
  /** VF index on the PF (virtfnN). */
  vfIndex: number;
  /** VF netdev name in the host, or undefined (DPDK / userspace driver). */
  netdev: string | undefined;
  /** Bound driver name, or undefined. */
  driver: string | undefined;
}

/** A delegated IPAM result (the 1.1 model of @sriov-ts/cni). */
export type IpamResult = Result;

export interface Ops extends NetdevOps {
  // sysfs
  locateVf(pciAddress: string): VfLocation;
  vfExists(pciAddress: string): boolean;
  /** Legacy mode: the PCI function behind a PF netdev, its driver and its VFs by index. */
  pfByName(
    pf: string,
  ): { pciAddress: string; driver: string | undefined; vfs: { index: number; address: string }[] } | undefined;
  // netns
  /** 'ok' | 'missing' (ENOENT) | 'not-netns' (exists, not an nsfs file) */
  netnsState(path: string): NetnsState;
  /** Whether two paths name the same file (device and inode), e.g. one netns under two paths. */
  sameFile(a: string, b: string): boolean;
  // links (netns undefined = host)
  /** Move a host link into `netns`, renamed to `newName`, set up — one RTM_NEWLINK. */
  moveIntoNetns(hostName: string, netns: string, newName: string): void;
  // PF side
  /** The VF's entry of the PF's IFLA_VFINFO_LIST, or undefined when the PF reports none. */
  readVf(pf: string, vfIndex: number): (VfKnobState & { pfMtu: number }) | undefined;
  pfMtu(pf: string): number;
  setVfKnob(pf: string, vfIndex: number, change: KnobChange): void;
  // state
  /** Exclusive per-VF lock (60 s timeout); returns its release. */
  lockVf(pciAddress: string): Promise<() => void>;
  /** Legacy mode: the PF lock under which a free VF is picked. */
  lockPf(pciAddress: string): Promise<() => void>;
  /** Content (netns path) of pci/<addr>, or undefined. */
  readAllocation(pciAddress: string): string | undefined;
  writeAllocation(pciAddress: string, netns: string): void;
  deleteAllocation(pciAddress: string): void;
  readCache(key: string): AttachmentCache | undefined;
  writeCache(key: string, cache: AttachmentCache): void;
  deleteCache(key: string): void;
  /** The crash journal of an ADD in progress (see README: "SIGKILL during ADD"). */
  readPending(key: string): AttachmentCache | undefined;
  writePending(key: string, cache: AttachmentCache): void;
  deletePending(key: string): void;
  listCacheKeys(): string[];
  listPendingKeys(): string[];
  // IPAM
  ipamAdd(): Promise<IpamResult>;
  ipamDel(): Promise<void>;
  ipamCheck(): Promise<void>;
  configureIp(netns: string, ifName: string, result: IpamResult): Promise<void>;
  announce(netns: string, ifName: string, result: IpamResult): Promise<void>;
  log(level: 'error' | 'warning' | 'info' | 'debug', msg: string, fields?: Record<string, unknown>): void;
}

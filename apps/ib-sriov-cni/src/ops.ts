// The seam between the ib-sriov flow (plugin.ts) and the node: everything that touches sysfs, the kernel, the
// state directory or a delegated IPAM plugin. node-ops.ts wires it to sysfs-pci, netlink-ops, ipam-client and the
// state files; tests run the same flow with a recording PF/IPoIB layer under it (see test/recording-ib.ts).
import type { NetdevOps, NetnsState, Result } from '@sriov-ts/cni';
import type { IbCache } from './cache.js';

export type LinkStateName = 'auto' | 'enable' | 'disable';

export interface VfPlace {
  /** PF IPoIB netdev (first entry of physfn/net). */
  pf: string;
  /** VF index on the PF (virtfnN). */
  vfIndex: number;
}

/** The netdev part is @sriov-ts/cni's NetdevOps, so its releaseToHost hands the VF back. */
export interface IbOps extends Pick<NetdevOps, 'getLink' | 'moveToHost' | 'delAltName'> {
  // sysfs
  hasDevice(pci: string): boolean;
  /** `physfn` exists. */
  isVf(pci: string): boolean;
  driver(pci: string): string | undefined;
  /** PF netdev and VF index; throws when sysfs cannot tell. */
  locateVf(pci: string): VfPlace;
  /** The VF's netdev in the host, looked up by PCI address (first of `net/`, sorted). */
  vfNetdev(pci: string): string | undefined;
  /** The port GUID held in a netdev's 20-byte IPoIB hardware address (bytes 12-19), or undefined. */
  netdevGuid(netdev: string): string | undefined;
  rdmaDevices(pci: string): string[];
  /** Unbind the VF and bind it to the same driver again (applies a new GUID; recreates netdev and RDMA device). */
  rebindVf(pci: string): void;
  // PF side (rtnetlink on the PF; one GUID attribute per request)
  setVfGuid(place: VfPlace, which: 'node' | 'port', guid: string): void;
  setVfLinkState(place: VfPlace, state: LinkStateName): void;
  // netdevs (netns undefined = host)
  netnsState(path: string): NetnsState;
  /** One RTM_NEWLINK: into `netns`, renamed, up. */
  moveIntoNetns(hostName: string, netns: string, newName: string): void;
  renameHostLink(name: string, newName: string): void;
  // RDMA netlink
  rdmaNetnsMode(): 'shared' | 'exclusive';
  /** Host → pod (resolved in the host netns). */
  moveRdmaToPod(name: string, netns: string): void;
  /**
   * Pod → host, resolved and sent from a socket inside the pod netns (in exclusive mode the device is visible only
   * there). False when no device of that name is in the pod (already back).
   */
  moveRdmaToHost(name: string, netns: string): boolean;
  // state
  /** The global flock (/var/run/cni/ib-sriov/cni.lock); returns its release. */
  lock(): Promise<() => void>;
  /** By state entry name (`<containerID>-<ifName>`, see attachmentFileName). */
  readCache(entry: string): IbCache | undefined;
  writeCache(containerId: string, ifName: string, cache: IbCache): void;
  deleteCache(entry: string): void;
  listCacheEntries(): string[];
  // IPAM (delegated with the raw stdin of this invocation, under the given type)
  ipamAdd(type: string): Promise<Result>;
  ipamDel(type: string): Promise<void>;
  ipamCheck(type: string): Promise<void>;
  configureIp(netns: string, ifName: string, result: Result): Promise<void>;
  /** Addresses (CIDR) on a pod interface, for CHECK. */
  podAddresses(netns: string, ifName: string): string[];
  log(level: 'error' | 'warning' | 'info' | 'debug', msg: string, fields?: Record<string, unknown>): void;
}

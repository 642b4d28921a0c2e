// Handing a VF netdev back from a pod netns to the host, and the pod-side touches around a move — generic over the
// plugin (sriov and ib-sriov). The kernel work is the caller's NetdevOps (netlink-ops in production), so this
// module loads nothing (netlinkNetdevOps takes the caller's netlink-ops instance).
import type { NetlinkOps } from '@sriov-ts/netlink-ops';

export interface NetdevLink {
  index: number;
  name: string;
  mac: string;
  mtu: number;
  altNames: string[];
}

export interface NetdevOps {
  /** By name or ifindex; undefined when there is no such link. netns undefined = the host. */
  getLink(netns: string | undefined, link: string | number): NetdevLink | undefined;
  /**
   * Move `link` (name or ifindex) from `netns` back to the host, down, renamed, with MAC/MTU restored. An ifindex
   * saves the kernel lookup a rename by name needs.
   */
  moveToHost(
    netns: string,
    link: string | number,
    hostName: string,
    mac: string | undefined,
    mtu: number | undefined,
  ): void;
  setMac(netns: string | undefined, name: string, mac: string): void;
  delAltName(netns: string | undefined, name: string, altName: string): void;
  setSysctl(netns: string, path: string, value: string): void;
  sleep(ms: number): Promise<void>;
}

export interface PodSide {
  netns: string;
  /** CNI_IFNAME. */
  podName: string;
  hostName: string;
  /** The VF's ifindex when known (ADD's undo): a link the pod already had under podName is then never taken. */
  index?: number | undefined;
  mac?: string | undefined;
  mtu?: number | undefined;
}

/**
 * Where the VF's netdev is in the pod (read only): by ifindex when known — a link the pod already had under podName
 * is then never taken — else by the pod name, else by the host name (a move whose rename was refused, EEXIST,
 * leaves the VF in the pod under its host name). Undefined when it is not there.
 */
export function findInPod(p: PodSide, ops: Pick<NetdevOps, 'getLink'>): NetdevLink | undefined {
  let found = p.index === undefined ? ops.getLink(p.netns, p.podName) : ops.getLink(p.netns, p.index);
  if (found && p.index !== undefined && found.name !== p.podName && found.name !== p.hostName) found = undefined;
  return found ?? ops.getLink(p.netns, p.hostName);
}

/**
 * Put the VF back in the host netns under its host name with its MAC and MTU, and drop the pod-name altname the
 * kernel may have left (sriov-cni #445). `seen`: what findInPod answered moments ago (a DEL looks while its IPAM
 * plugin runs); without it, this looks first. Returns false when the VF is not in the pod (already released,
 * netns gone).
 */
export function releaseToHost(
  p: PodSide,
  ops: Pick<NetdevOps, 'getLink' | 'moveToHost' | 'delAltName'>,
  seen?: { inPod: NetdevLink | undefined },
): boolean {
  const found = seen ? seen.inPod : findInPod(p, ops);
  if (!found) return false;
  ops.moveToHost(p.netns, found.index, p.hostName, p.mac || undefined, p.mtu || undefined);
  const back = ops.getLink(undefined, p.hostName);
  if (back && p.podName !== p.hostName && back.altNames.includes(p.podName)) {
    ops.delAltName(undefined, p.hostName, p.podName);
  }
  return true;
}

/** Drivers such as i40e/iavf apply a MAC asynchronously: set, read back, retry — 20 × 100 ms like the Go plugin. */
export async function setMacVerified(
  netns: string | undefined,
  name: string,
  mac: string,
  ops: Pick<NetdevOps, 'getLink' | 'setMac' | 'sleep'>,
): Promise<void> {
  let last: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      ops.setMac(netns, name, mac);
      const now = ops.getLink(netns, name);
      if (now && sameMac(now.mac, mac)) return;
      last = new Error('hardware mac address is different from requested one');
    } catch (e) {
      last = e;
    }
    await ops.sleep(100);
  }
  throw new Error(`failed to set MAC address to ${mac}: ${last instanceof Error ? last.message : String(last)}`, {
    cause: last,
  });
}

/** arp_notify / ndisc_notify / optimistic_dad in the pod; errors ignored as the Go plugins do (IPv6 may be off). */
export function enablePodNotify(netns: string, ifName: string, ops: Pick<NetdevOps, 'setSysctl'>): void {
  for (const path of [
    `/proc/sys/net/ipv4/conf/${ifName}/arp_notify`,
    `/proc/sys/net/ipv6/conf/${ifName}/ndisc_notify`,
    `/proc/sys/net/ipv6/conf/${ifName}/optimistic_dad`,
  ]) {
    try {
      ops.setSysctl(netns, path, '1');
    } catch {
      // ignored
    }
  }
}

export function sameMac(a: string, b: string): boolean {
  const norm = (m: string) => m.toLowerCase().replaceAll('-', ':');
  return norm(a) === norm(b);
}

/** Where a released netdev goes: the plugin's own network namespace. */
const OWN_NETNS = '/proc/self/ns/net';

/** The netdev operations both plugins need, over a netlink-ops instance (netns undefined = the plugin's own). */
export interface NetlinkNetdevOps extends Pick<NetdevOps, 'getLink' | 'moveToHost' | 'setMac' | 'delAltName'> {
  /**
   * `hostLink` (name or ifindex) into `netns`, renamed and up, in one RTM_NEWLINK (the kernel moves first, then
   * renames). An ifindex the caller already read saves the lookup a rename by name needs.
   */
  moveIntoNetns(hostLink: string | number, netns: string, newName: string): void;
}

export function netlinkNetdevOps(
  nl: Pick<NetlinkOps, 'findLink' | 'setLink' | 'moveLink' | 'deleteAltName'>,
): NetlinkNetdevOps {
  const ns = (netns: string | undefined) => (netns === undefined ? {} : { netns });
  return {
    getLink(netns, link) {
      const l = nl.findLink(link, ns(netns));
      return l && { index: l.index, name: l.name, mac: l.mac ?? '', mtu: l.mtu, altNames: l.altNames };
    },
    moveIntoNetns: (hostLink, netns, newName) => void nl.moveLink(hostLink, { toNetns: netns, newName, up: true }),
    moveToHost(netns, link, hostName, mac, mtu) {
      nl.setLink(link, { up: false, ...(mac ? { mac } : {}), ...(mtu ? { mtu } : {}) }, { netns });
      nl.moveLink(link, { netns, toNetns: OWN_NETNS, newName: hostName });
    },
    setMac: (netns, name, mac) => void nl.setLink(name, { mac }, ns(netns)),
    delAltName: (netns, name, alt) => void nl.deleteAltName(name, alt, ns(netns)),
  };
}

// netlink-ops loads its native addon on the first call only; importing it statically lets a bundle keep just the
// operations used here (a dynamic import kept all of them, built at every start).

import type { Scope } from '@sriov-ts/netlink-ops';
import * as nl from '@sriov-ts/netlink-ops';

// The handful of kernel operations configureInterface() and announce() need inside a pod netns, as one small
// interface. The production implementation is @sriov-ts/netlink-ops (see podNet()); tests may pass their own.
export interface PodLink {
  index: number;
  name: string;
  /** Lower-case colon-separated hardware address, if the link has one. */
  mac: string | undefined;
  /** IFF_UP */
  up: boolean;
  /** IFF_RUNNING: carrier / operationally up. */
  running: boolean;
}

export interface PodAddress {
  /** Bare address, e.g. "fd00::5". */
  address: string;
  tentative: boolean;
  dadFailed: boolean;
}

export interface PodRoute {
  dst: string;
  ifindex: number;
  gateway?: string;
  /** RTA_PRIORITY (the route metric). */
  priority?: number;
  table?: number;
  scope?: number;
}

export interface PodNet {
  /** Throws when the link does not exist. */
  getLink(netns: string, name: string): Promise<PodLink>;
  setLinkUp(netns: string, ifindex: number): Promise<void>;
  /** Adds `cidr` (address/prefix, host bits kept) to the link. */
  addAddress(netns: string, ifindex: number, cidr: string): Promise<void>;
  listIpv6Addresses(netns: string, ifindex: number): Promise<PodAddress[]>;
  /** Adds a route in append mode (NLM_F_CREATE|NLM_F_APPEND): an equal destination becomes ECMP / a second path. */
  appendRoute(netns: string, route: PodRoute): Promise<void>;
  /** Reads /proc/sys/<path> inside the netns, without the trailing newline. Errors carry `code` (ENOENT, …). */
  readSysctl(netns: string, path: string): Promise<string>;
  /** Writes /proc/sys/<path> (path like `net/ipv6/conf/lo/disable_ipv6`) inside the netns. Errors carry `code`. */
  writeSysctl(netns: string, path: string, value: string): Promise<void>;
  /** Sends one complete Ethernet frame on the link (AF_PACKET). */
  sendFrame(netns: string, ifindex: number, frame: Uint8Array): Promise<void>;
}

let defaultNet: PodNet | undefined;

/** The production PodNet, backed by @sriov-ts/netlink-ops. */
export function podNet(): PodNet {
  defaultNet ??= netlinkOpsPodNet();
  return defaultNet;
}

// IFA_F_* bits (linux/if_addr.h)
const IFA_F_DADFAILED = 0x08;
const IFA_F_TENTATIVE = 0x40;
const scopeNames: Record<number, Scope> = { 0: 'universe', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };

function netlinkOpsPodNet(): PodNet {
  return {
    async getLink(netns, name) {
      const l = nl.getLink(name, { netns });
      return { index: l.index, name: l.name, mac: l.mac, up: l.up, running: l.running };
    },
    async setLinkUp(netns, ifindex) {
      nl.setLinkUp(ifindex, { netns });
    },
    async addAddress(netns, ifindex, cidr) {
      nl.addAddress(ifindex, cidr, { netns });
    },
    async listIpv6Addresses(netns, ifindex) {
      return nl.listAddresses({ netns, link: ifindex, family: 6 }).map((a) => ({
        address: a.address,
        tentative: (a.flags & IFA_F_TENTATIVE) !== 0,
        dadFailed: (a.flags & IFA_F_DADFAILED) !== 0,
      }));
    },
    async appendRoute(netns, route) {
      // Go's netlink sends scope 0 (universe) unless the result names one; iproute2 (and netlink-ops' default)
      // would pick 'link' for a route without gateway.
      const scope = scopeNames[route.scope ?? 0];
      if (scope === undefined) throw new Error(`unsupported route scope ${route.scope}`);
      // Append mode, as Go's RouteAddEcmp: a second route to the same destination becomes another path.
      nl.addRoute(
        {
          dst: route.dst,
          link: route.ifindex,
          scope,
          ...(route.gateway === undefined ? {} : { gateway: route.gateway }),
          ...(route.priority === undefined ? {} : { metric: route.priority }),
          ...(route.table === undefined ? {} : { table: route.table }),
        },
        { netns, append: true },
      );
    },
    async readSysctl(netns, path) {
      return nl.readSysctl(`/proc/sys/${path}`, { netns });
    },
    async writeSysctl(netns, path, value) {
      nl.writeSysctl(`/proc/sys/${path}`, value, { netns });
    },
    async sendFrame(netns, ifindex, frame) {
      nl.sendFrame(ifindex, frame, { netns });
    },
  };
}

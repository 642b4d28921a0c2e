// CHECK helpers: compare what a prevResult says a plugin configured with what the pod's netns has now. The
// prevResult is the whole chain's result, so only the entries of the plugin's own interface are compared.
import type { NetlinkOps } from '@sriov-ts/netlink-ops';

/** The parts of a prevResult CHECK compares (a parsed Result fits). */
export interface PrevResultView {
  interfaces?: readonly { name: string; sandbox?: string | undefined }[];
  ips?: readonly { address: string; interface?: number | undefined }[];
  routes?: readonly { dst: string; gw?: string | undefined }[];
}

/** What a pod interface has now, in CNI result form. */
export interface PodAddressing {
  /** CIDRs ("10.1.2.3/24"). */
  addresses: string[];
  routes: { dst: string; gw?: string | undefined }[];
}

/**
 * The prevResult addresses of `ifName` in `netns` (entries without an interface index count as its) that `have`
 * lacks, in prevResult order; empty when every one is there.
 */
export function missingAddresses(
  prev: PrevResultView,
  netns: string,
  ifName: string,
  have: readonly string[],
): string[] {
  const index = (prev.interfaces ?? []).findIndex((i) => i.name === ifName && (i.sandbox ?? netns) === netns);
  return (prev.ips ?? [])
    .filter((ip) => ip.interface === undefined || ip.interface === index)
    .map((ip) => ip.address)
    .filter((address) => !have.includes(address));
}

/** The prevResult routes no route of `have` matches (same destination; same gateway when the prevResult names one). */
export function missingRoutes(
  prev: PrevResultView,
  have: PodAddressing['routes'],
): { dst: string; gw?: string | undefined }[] {
  return (prev.routes ?? []).filter((r) => !have.some((h) => h.dst === r.dst && (!r.gw || h.gw === r.gw)));
}

/** The addresses and routes of `ifName` in `netns`; netlink-ops' 'default' destination as 0.0.0.0/0 or ::/0. */
export function podAddressing(
  nl: Pick<NetlinkOps, 'listAddresses' | 'listRoutes'>,
  netns: string,
  ifName: string,
): PodAddressing {
  return {
    addresses: nl.listAddresses({ netns, link: ifName }).map((a) => a.cidr),
    routes: nl.listRoutes({ netns, link: ifName }).map((r) => ({
      dst: r.dst === 'default' ? (r.family === 6 ? '::/0' : '0.0.0.0/0') : r.dst,
      gw: r.gateway,
    })),
  };
}

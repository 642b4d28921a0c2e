// Announcing a pod's addresses after configuration, as sriov-cni does (pods reuse IPs with new VF MACs, so
// neighbours' caches must be corrected): one gratuitous ARP per IPv4 and one unsolicited Neighbor Advertisement per
// IPv6 address, after a short bounded wait for carrier. Best effort: failures are logged, never thrown.
import { cidrFamily, type Result } from '@sriov-ts/cni';
import { buildGratuitousArp, buildUnsolicitedNeighborAdvert, isAnnounceableMac } from './frames.js';
import type { LogSink } from './log.js';
import { type PodNet, podNet } from './pod-net.js';

/** sriov-cni waits at most this long for IFF_UP|IFF_RUNNING before announcing. */
export const CARRIER_WAIT_MS = 200;
const CARRIER_FIRST_POLL_MS = 2;
const CARRIER_BACKOFF = 1.5;

export interface AnnounceOptions {
  logger?: LogSink;
  /** Upper bound of the carrier wait (default CARRIER_WAIT_MS). */
  carrierWaitMs?: number;
  /** For tests: the netlink operations to use (default: @sriov-ts/netlink-ops). */
  net?: PodNet;
}

export interface AnnounceReport {
  /** Addresses (bare IPs) a frame was sent for. */
  sent: string[];
  /** What went wrong, one line each (already logged). */
  errors: string[];
  /** Whether the link showed IFF_UP|IFF_RUNNING within the wait. */
  carrier: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends a gratuitous ARP (IPv4) or an unsolicited NA (IPv6) for every address in `result.ips` from `ifName` inside
 * `netns`. Skipped when the link's MAC is not a 6-byte non-zero, non-broadcast address (e.g. IPoIB). Never throws.
 */
export async function announce(
  netns: string,
  ifName: string,
  result: Result,
  opts: AnnounceOptions = {},
): Promise<AnnounceReport> {
  const net = opts.net ?? podNet();
  const log = opts.logger;
  const report: AnnounceReport = { sent: [], errors: [], carrier: false };
  const fail = (text: string) => {
    report.errors.push(text);
    log?.debug(`announce: ${text}`);
  };
  try {
    let link = await net.getLink(netns, ifName);
    if (!isAnnounceableMac(link.mac)) {
      fail(`invalid Ethernet MAC address ${JSON.stringify(link.mac ?? '')} on ${ifName}: nothing announced`);
      return report;
    }
    const deadline = Date.now() + (opts.carrierWaitMs ?? CARRIER_WAIT_MS);
    for (let delay = CARRIER_FIRST_POLL_MS; !(link.up && link.running); delay *= CARRIER_BACKOFF) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(delay, left));
      link = await net.getLink(netns, ifName);
    }
    report.carrier = link.up && link.running;
    if (!report.carrier)
      fail(`${ifName} has no carrier after ${opts.carrierWaitMs ?? CARRIER_WAIT_MS} ms; sending anyway`);
    const mac = link.mac!;
    for (const ipc of result.ips) {
      // an address the result assigns to another interface is not ours to announce
      if (ipc.interface !== undefined && result.interfaces?.[ipc.interface]?.name !== ifName) continue;
      const ip = ipc.address.split('/')[0]!;
      const family = cidrFamily(ipc.address);
      try {
        const frame =
          family === 4
            ? buildGratuitousArp(mac, ip)
            : family === 6
              ? buildUnsolicitedNeighborAdvert(mac, ip)
              : undefined;
        if (frame === undefined) {
          fail(`the IP ${ip} on interface "${ifName}" is neither IPv4 or IPv6`);
          continue;
        }
        await net.sendFrame(netns, link.index, frame);
        report.sent.push(ip);
      } catch (err) {
        fail(`failed to send GARP/NA message for ip ${ip} on interface "${ifName}": ${(err as Error).message}`);
      }
    }
  } catch (err) {
    fail(`failed to get netlink device with name "${ifName}": ${(err as Error).message}`);
  }
  return report;
}

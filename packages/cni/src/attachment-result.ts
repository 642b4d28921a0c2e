// The ADD result of a plugin that attaches one interface: the delegated IPAM result with every IP on it.
import type { CniInterface, Result } from './result.js';

/** `iface` as interface 0 of the result, every IPAM address on it, the IPAM routes and DNS (none without IPAM). */
export function attachmentResult(iface: CniInterface, ipam: Result | undefined): Result {
  return {
    interfaces: [iface],
    ips: (ipam?.ips ?? []).map((ip) => ({ ...ip, interface: 0 })),
    routes: ipam?.routes ?? [],
    dns: ipam?.dns ?? {},
  };
}

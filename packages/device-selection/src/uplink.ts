// The host uplink rule needs netlink (routes and links); this package does not talk to the kernel, so callers dump
// both with @sriov-ts/netlink-ops (or anything shaped like its records) and this decides which netdevs count.

/** Netdev names carrying an IPv4 default route (as the Go plugin's HasDefaultRoute): their devices are never offered. */
export function uplinkNetdevs(
  links: readonly { readonly index: number; readonly name: string }[],
  ipv4Routes: readonly { readonly dst: string; readonly index?: number | undefined }[],
): Set<string> {
  const names = new Map(links.map((l) => [l.index, l.name]));
  const out = new Set<string>();
  for (const route of ipv4Routes) {
    if (route.dst !== 'default' || route.index === undefined) continue;
    const name = names.get(route.index);
    if (name !== undefined) out.add(name);
  }
  return out;
}

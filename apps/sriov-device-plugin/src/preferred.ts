// GetPreferredAllocation policy (the Go plugin returns nothing here):
//  1. keep every must-include device;
//  2. fill from the NUMA node that already holds most of the chosen devices, else the node with the most available
//     devices, before touching other nodes (nodes ordered by how many devices they can still give);
//  3. within a node, take devices round-robin across PFs (the PF with the most remaining devices first), so a
//     multi-device request spreads over physical ports;
// ties break on the device ID, so the answer is deterministic.
import type { PoolDevice } from './types.js';

const UNKNOWN_NUMA = -1;

function pfKey(dev: PoolDevice | undefined, id: string): string {
  if (dev === undefined) return `?${id}`;
  if (dev.aux !== null) return dev.pci.address;
  return dev.pci.pfAddress ?? dev.pci.address;
}

export function preferredAllocation(
  available: string[],
  mustInclude: string[],
  size: number,
  devices: ReadonlyMap<string, PoolDevice>,
): string[] {
  const chosen: string[] = [];
  const chosenSet = new Set<string>();
  for (const id of mustInclude) {
    if (chosen.length >= size) break;
    if (!chosenSet.has(id)) {
      chosen.push(id);
      chosenSet.add(id);
    }
  }
  const numaOf = (id: string) => devices.get(id)?.pci.numaNode ?? UNKNOWN_NUMA;
  const remaining = [...new Set(available)].filter((id) => !chosenSet.has(id)).sort();
  const byNuma = new Map<number, string[]>();
  for (const id of remaining) {
    const n = numaOf(id);
    const list = byNuma.get(n) ?? [];
    list.push(id);
    byNuma.set(n, list);
  }
  const chosenPerNuma = new Map<number, number>();
  for (const id of chosen) chosenPerNuma.set(numaOf(id), (chosenPerNuma.get(numaOf(id)) ?? 0) + 1);
  const nodes = [...byNuma.keys()].sort((a, b) => {
    const byChosen = (chosenPerNuma.get(b) ?? 0) - (chosenPerNuma.get(a) ?? 0);
    if (byChosen !== 0) return byChosen;
    const byCount = byNuma.get(b)!.length - byNuma.get(a)!.length;
    return byCount !== 0 ? byCount : a - b;
  });
  for (const node of nodes) {
    if (chosen.length >= size) break;
    const perPf = new Map<string, string[]>();
    for (const id of byNuma.get(node)!) {
      const key = pfKey(devices.get(id), id);
      const list = perPf.get(key) ?? [];
      list.push(id);
      perPf.set(key, list);
    }
    const queues = [...perPf.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
    while (chosen.length < size && queues.some(([, q]) => q.length > 0)) {
      for (const [, q] of queues) {
        if (chosen.length >= size) break;
        const id = q.shift();
        if (id !== undefined) chosen.push(id);
      }
    }
  }
  return chosen;
}

// Who holds a VF, from the CNI plugins' on-disk state (the Go plugins' files and ours have the same layout):
//   <stateDir>/sriov/<containerID>-<ifName>     attachment cache, JSON with `deviceID` (keys case-insensitive)
//   <stateDir>/sriov/pci/<pci>                  allocation record: the owner's netns path
//   <stateDir>/ib-sriov/<containerID>-<ifName>  attachment cache with `deviceID`, `ContIFNames` (and our `netns`)
// Read-only: nothing here writes, locks or follows a file name outside these directories.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPciAddress } from '@sriov-ts/sysfs-pci';

export const DEFAULT_STATE_DIR = '/var/lib/cni';

export interface VfHolder {
  plugin: 'sriov' | 'ib-sriov';
  deviceId: string;
  /** `<containerID>-<ifName>`: the cache file's name. */
  attachment: string;
  /** CNI network name from the cache. */
  network: string;
  /** Pod network namespace path, when the state records it. */
  netns: string | null;
  /** Interface name inside the pod, when the cache records it. */
  podIfName: string | null;
  /** Whether the recorded netns still exists (a stale record outlives its pod). */
  netnsAlive: boolean | null;
}

/** Reads `key` the way Go's encoding/json matches a struct field: exact name first, then case-insensitively. */
function goField(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function readSmallFile(path: string): string | null {
  try {
    const st = lstatSync(path);
    if (!st.isFile() || st.size > 1 << 20) return null;
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function readJson(path: string): Record<string, unknown> | null {
  const text = readSmallFile(path);
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function cacheFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Every VF attachment the sriov and ib-sriov plugins recorded under `stateDir`, by PCI address. */
export function readVfHolders(stateDir = DEFAULT_STATE_DIR): Map<string, VfHolder[]> {
  const byDevice = new Map<string, VfHolder[]>();
  const add = (h: VfHolder) => byDevice.set(h.deviceId, [...(byDevice.get(h.deviceId) ?? []), h]);
  const alive = (netns: string | null) => (netns === null ? null : existsSync(netns));

  const sriovDir = join(stateDir, 'sriov');
  for (const name of cacheFiles(sriovDir)) {
    const cache = readJson(join(sriovDir, name));
    const deviceId = cache && str(goField(cache, 'deviceID'));
    if (!cache || !deviceId || !isPciAddress(deviceId)) continue;
    const record = readSmallFile(join(sriovDir, 'pci', deviceId));
    const netns = record === null ? null : record.trim() || null;
    add({
      plugin: 'sriov',
      deviceId,
      attachment: name,
      network: str(goField(cache, 'name')) ?? '',
      netns,
      podIfName: str(goField(cache, 'cniIfName')),
      netnsAlive: alive(netns),
    });
  }

  const ibDir = join(stateDir, 'ib-sriov');
  for (const name of cacheFiles(ibDir)) {
    const cache = readJson(join(ibDir, name));
    const deviceId = cache && str(goField(cache, 'deviceID'));
    if (!cache || !deviceId || !isPciAddress(deviceId)) continue;
    const netns = str(goField(cache, 'netns'));
    add({
      plugin: 'ib-sriov',
      deviceId,
      attachment: name,
      network: str(goField(cache, 'name')) ?? '',
      netns,
      podIfName: str(goField(cache, 'ContIFNames')),
      netnsAlive: alive(netns),
    });
  }
  return byDevice;
}

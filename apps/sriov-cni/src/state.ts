// On-disk state under /var/lib/cni/sriov, at the Go plugin's paths so both implementations share a node:
//   <dir>/<containerID>-<ifName>          attachment cache (Go key names; see cache.ts)
//   <dir>/pci/<pci-address>               allocation record: the netns path that owns the VF
//   <dir>/pci/vf_lock/<pci-address>.lock  per-VF flock, held until the process exits
//   <dir>/pending/<containerID>-<ifName>  ours: the crash journal of an ADD in progress
// Every name is validated before a path is built (container ID and ifname by the skeleton, PCI address here).
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { acquireExclusiveLock, readFileIfExists as readOptional, writeFileAtomic as writeAtomic } from '@sriov-ts/cni';
import { isCanonicalPciAddress } from '@sriov-ts/sysfs-pci';
import { type AttachmentCache, fromGoJson, toGoJson } from './cache.js';

export const DEFAULT_STATE_DIR = '/var/lib/cni/sriov';
export const LOCK_TIMEOUT_MS = 60_000;

export class StateStore {
  constructor(readonly dir = DEFAULT_STATE_DIR) {}

  /** Exclusive flock on the VF's (or, legacy mode, the PF's) lock file, 60 s like the Go plugin. */
  lockVf(
    pciAddress: string,
    timeoutMs = LOCK_TIMEOUT_MS,
    kind: 'vf_lock' | 'pf_lock' = 'vf_lock',
  ): Promise<() => void> {
    const path = join(this.dir, 'pci', kind, `${pci(pciAddress)}.lock`);
    return acquireExclusiveLock(path, { timeoutMs }).then((held) => () => held.release());
  }

  readAllocation(pciAddress: string): string | undefined {
    return readOptional(join(this.dir, 'pci', pci(pciAddress)))?.trim();
  }
  writeAllocation(pciAddress: string, netns: string): void {
    writeAtomic(join(this.dir, 'pci'), pci(pciAddress), netns);
  }
  deleteAllocation(pciAddress: string): void {
    rmSync(join(this.dir, 'pci', pci(pciAddress)), { force: true });
  }

  readCache(key: string): AttachmentCache | undefined {
    return parse(readOptional(join(this.dir, name(key))));
  }
  writeCache(key: string, c: AttachmentCache): void {
    writeAtomic(this.dir, name(key), JSON.stringify(toGoJson(c)));
  }
  deleteCache(key: string): void {
    rmSync(join(this.dir, name(key)), { force: true });
  }

  readPending(key: string): AttachmentCache | undefined {
    return parse(readOptional(join(this.dir, 'pending', name(key))));
  }
  writePending(key: string, c: AttachmentCache): void {
    writeAtomic(join(this.dir, 'pending'), name(key), JSON.stringify(toGoJson(c)));
  }
  deletePending(key: string): void {
    rmSync(join(this.dir, 'pending', name(key)), { force: true });
  }

  /** Cache file names (regular files directly in the state dir). */
  listCacheKeys(): string[] {
    return listFiles(this.dir);
  }

  listPendingKeys(): string[] {
    return listFiles(join(this.dir, 'pending'));
  }
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

function pci(address: string): string {
  if (!isCanonicalPciAddress(address)) throw new Error(`invalid PCI address ${JSON.stringify(address)}`);
  return address;
}

/** A cache key is `<containerID>-<ifName>`, both validated by the skeleton; refuse anything path-like anyway. */
function name(key: string): string {
  if (key === '' || key.startsWith('.') || /[/\0]/.test(key) || key.length > 512)
    throw new Error(`invalid state file name ${JSON.stringify(key)}`);
  return key;
}

function parse(text: string | undefined): AttachmentCache | undefined {
  return text === undefined ? undefined : fromGoJson(JSON.parse(text));
}

// sriov-cni's state directory, at the Go plugin's paths so both implementations share a node:
//   <dir>/<containerID>-<ifName>          attachment cache (the plugin serialises it)
//   <dir>/pci/<pci-address>               allocation record: the netns path that owns the VF
//   <dir>/pci/vf_lock/<pci-address>.lock  per-VF flock (pf_lock/: the legacy PF lock)
//   <dir>/pending/<containerID>-<ifName>  the crash journal of an ADD in progress (not in Go)
// Every name is validated before a path is built: PCI addresses here, entry names by writeFileAtomic's rules.
import { readdirSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CniError, ErrInternal } from './errors.js';
import { acquireExclusiveLock, DEFAULT_LOCK_TIMEOUT_MS } from './lock.js';
import { isStateEntryName, readFileIfExists, SRIOV_STATE_DIR, writeFileAtomic } from './state-store.js';

/** A canonical (lower-case, full) PCI address, the only form used in state file names. */
const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

/** Which file of the state directory: the attachment caches, or the crash journals of ADDs in progress. */
export type VfStateKind = 'cache' | 'pending';

export class VfStateDir {
  constructor(readonly dir: string = SRIOV_STATE_DIR) {}

  /** Exclusive flock on the VF's (legacy mode: the PF's) lock file, 60 s like the Go plugin; returns its release. */
  async lock(pciAddress: string, kind: 'vf_lock' | 'pf_lock' = 'vf_lock', timeoutMs = DEFAULT_LOCK_TIMEOUT_MS) {
    const held = await acquireExclusiveLock(join(this.dir, 'pci', kind, `${pci(pciAddress)}.lock`), { timeoutMs });
    return () => held.release();
  }

  /** The netns path recorded as the VF's owner, or undefined. */
  readAllocation(pciAddress: string): string | undefined {
    return readFileIfExists(join(this.dir, 'pci', pci(pciAddress)))?.trim();
  }
  writeAllocation(pciAddress: string, netns: string): void {
    writeFileAtomic(join(this.dir, 'pci'), pci(pciAddress), netns);
  }
  deleteAllocation(pciAddress: string): void {
    unlinkIfPresent(join(this.dir, 'pci', pci(pciAddress)));
  }

  read(kind: VfStateKind, key: string): string | undefined {
    return readFileIfExists(join(this.#dirOf(kind), entry(key)));
  }
  write(kind: VfStateKind, key: string, text: string): void {
    writeFileAtomic(this.#dirOf(kind), entry(key), text);
  }
  delete(kind: VfStateKind, key: string): void {
    unlinkIfPresent(join(this.#dirOf(kind), entry(key)));
  }

  /**
   * The crash journal becomes the attachment cache, atomically: one rename where writing the cache and deleting the
   * journal cost two file creations (≈ 0.5 ms of an ADD on the lab). The caller wrote the journal with the cache's
   * content. Throws (ENOENT) when there is no journal.
   */
  promote(key: string): void {
    renameSync(join(this.#dirOf('pending'), entry(key)), join(this.dir, entry(key)));
  }

  /** Names of the regular, non-hidden files of that kind (sub-directories and temp files are skipped). */
  list(kind: VfStateKind): string[] {
    try {
      return readdirSync(this.#dirOf(kind), { withFileTypes: true })
        .filter((e) => e.isFile() && isStateEntryName(e.name))
        .map((e) => e.name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  #dirOf(kind: VfStateKind): string {
    return kind === 'cache' ? this.dir : join(this.dir, 'pending');
  }
}

/** One unlink, ENOENT ignored (rmSync's force costs two more stats and its option checks on every call). */
function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function pci(address: string): string {
  if (!PCI_ADDRESS.test(address)) throw new CniError(ErrInternal, `invalid PCI address ${JSON.stringify(address)}`);
  return address;
}

function entry(key: string): string {
  if (!isStateEntryName(key)) throw new CniError(ErrInternal, `invalid state file name ${JSON.stringify(key)}`);
  return key;
}

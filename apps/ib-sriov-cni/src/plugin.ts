// The ib-sriov verbs, top to bottom. ADD runs under the global lock; every step that changes the node registers
// its undo right after it succeeds, and a failure unwinds them newest first — including the GUID, which the Go
// plugin leaves changed (its issue 217). DEL undoes an attachment in the Go order and succeeds when any part of
// it is already gone, so a retried DEL converges.

import type { Result } from '@sriov-ts/cni';
import {
  attachmentFileName,
  attachmentResult,
  CniError,
  goQuote,
  missingAddresses,
  releaseEach,
  releaseToHost,
  skipCodeCacheForThisRun,
  UndoStack,
} from '@sriov-ts/cni';
import { assertIpamTypeSupported } from '@sriov-ts/ipam-client';
import { checkIbKubernetesGuid, type IbSriovNetConf } from '@sriov-ts/netconf-schema';
import type { IbCache } from './cache.js';
import type { IbOps, VfPlace } from './ops.js';

export interface Invocation {
  containerId: string;
  netns: string;
  ifName: string;
}

const ALL_ZERO = '00:00:00:00:00:00:00:00';
/** What Go caches as HostIFGUID for a VFIO VF, and restores instead of an all-zero GUID. */
export const DEFAULT_GUID = 'FF:FF:FF:FF:FF:FF:FF:FF';
const isAllZero = (g: string) => g.toLowerCase() === ALL_ZERO;
const isAllOnes = (g: string) => g.toLowerCase() === DEFAULT_GUID.toLowerCase();

/** A plugin failure with the Go plugin's code (999 = ErrInternal) and message. */
export const fail = (message: string, code = 999) => new CniError(code, message);
export const msg = (e: unknown) => (e instanceof CniError ? e.msg : e instanceof Error ? e.message : String(e));

// ---------------------------------------------------------------------------------------------------------- ADD

/** rdmaIsolation needs the RDMA subsystem in exclusive netns mode (checked before the deviceID, as in Go). */
export function checkRdmaMode(ops: Pick<IbOps, 'rdmaNetnsMode'>): void {
  let mode: string;
  try {
    mode = ops.rdmaNetnsMode();
  } catch (e) {
    throw fail(`failed to get RDMA subsystem namespace awareness mode. ${msg(e)}`);
  }
  if (mode !== 'exclusive') {
    throw fail(
      `RDMA subsystem namespace awareness mode is set to ${mode}, expecting it to be set to exclusive, invalid system configurations`,
    );
  }
}

export async function cmdAdd(conf: IbSriovNetConf, inv: Invocation, ops: IbOps): Promise<Result> {
  const pci = conf.deviceID;
  // Checks in the Go order (the netconf ones ran in netconf-schema; the RDMA mode check in the handler).
  if (!ops.hasDevice(pci)) throw fail(`failed to determine if device ${pci} is VF or PF: no such PCI device`);
  const bound = ops.driver(pci);
  const vfio = bound === 'vfio-pci';
  if (conf.vfioPciMode && !vfio) throw fail(`vfioPciMode is enabled but device ${pci} is not bound to vfio-pci driver`);
  const isVf = ops.isVf(pci);
  const gate = checkIbKubernetesGuid(conf, isVf);
  if (gate) throw fail(gate);
  if (!isVf && !vfio) throw fail(`PF device ${pci} requires vfioPciMode to be enabled`);
  let place: VfPlace = { pf: '', vfIndex: 0 };
  let hostName = '';
  if (isVf) {
    try {
      place = ops.locateVf(pci);
      if (!vfio) hostName = ops.vfNetdev(pci) ?? '';
      if (!vfio && hostName === '') throw new Error(`no net directory under pci device ${pci}`);
    } catch (e) {
      throw fail(`failed to get VF device information: load config: ${msg(e)}`);
    }
  }
  if (ops.netnsState(inv.netns) !== 'ok') throw fail(`failed to open netns "${inv.netns}"`);

  const record = cacheOf(conf, inv, place, hostName, vfio);
  const unlock = await ops.lock();
  let ipam: Result | undefined;
  try {
    if (isVf) ipam = await addVf(conf, inv, record, ops);
    else ops.writeCache(inv.containerId, inv.ifName, record); // VFIO PF: nothing to configure
  } finally {
    unlock();
  }
  return attachmentResult({ name: inv.ifName, sandbox: inv.netns }, ipam);
}

/** Configures a VF under the lock; returns the IPAM result (undefined without IPAM). */
async function addVf(conf: IbSriovNetConf, inv: Invocation, record: IbCache, ops: IbOps): Promise<Result | undefined> {
  const pci = conf.deviceID;
  const place = { pf: record.master, vfIndex: record.vfId };
  const undo = new UndoStack();
  let ipam: Result | undefined;
  try {
    // 1. PF-side VF config: link state, then the GUID (node, port, rebind). Errors as Go's ApplyVFConfig.
    try {
      if (conf.linkState) {
        ops.setVfLinkState(place, conf.linkState);
        undo.push('link state', () => ops.setVfLinkState(place, 'auto'));
      }
      if (conf.guid) {
        record.hostIfGuid = record.vfioPciMode ? DEFAULT_GUID : (ops.netdevGuid(record.hostIfName) ?? DEFAULT_GUID);
        ops.setVfGuid(place, 'node', conf.guid.value);
        undo.push('restore GUID', () => restoreGuid(record, ops));
        ops.setVfGuid(place, 'port', conf.guid.value);
        if (!record.vfioPciMode) ops.rebindVf(pci);
      } else if (!record.vfioPciMode) {
        const current = ops.netdevGuid(record.hostIfName);
        if (!current || isAllZero(current) || isAllOnes(current))
          throw new Error(`VF ${record.hostIfName} GUID is not valid`);
      }
    } catch (e) {
      throw fail(`infiniBand SRI-OV CNI failed to configure VF ${goQuote(msg(e))}`);
    }

    if (!record.vfioPciMode) {
      // 2. RDMA isolation: the RDMA device first — moving it recreates the IPoIB netdev in the host netns.
      if (conf.rdmaIsolation) {
        const rdmaDev = singleRdmaDevice(pci, ops);
        try {
          ops.moveRdmaToPod(rdmaDev, inv.netns);
        } catch (e) {
          throw fail(`failed to move RDMA device ${rdmaDev} to netns ${inv.netns}: ${msg(e)}`);
        }
        undo.push('move RDMA device into pod', () => ops.moveRdmaToHost(rdmaDev, inv.netns));
        record.rdma = { deviceID: pci, sandboxRdmaDevName: rdmaDev, containerRdmaDevName: rdmaDev };
      }

      // 3. The IPoIB netdev, found again by PCI address (the rebind or RDMA move may have renamed it): into the pod,
      // renamed and up in one request. The undo is registered first: a refused rename leaves it moved.
      const netdev = ops.vfNetdev(pci);
      const host = netdev === undefined ? undefined : ops.getLink(undefined, netdev);
      const where = `failed to set up pod interface ${goQuote(inv.ifName)} from the device ${goQuote(record.master)}`;
      if (!netdev || !host) throw fail(`${where}: VF ${pci} has no netdev after rebind`);
      // By ifindex: a refused rename (EEXIST) leaves the netdev in the pod under its host name, and `ifName` there is
      // then another device, which must stay. (A rename the rebind caused is undone by the GUID restore.)
      undo.push('move into pod', () =>
        releaseToHost({ netns: inv.netns, podName: inv.ifName, hostName: netdev, index: host.index }, ops),
      );
      try {
        ops.moveIntoNetns(netdev, inv.netns, inv.ifName);
        // A leftover altname of the host name would block later renames with EEXIST (sriov-cni #292).
        if (ops.getLink(inv.netns, inv.ifName)?.altNames.includes(netdev))
          ops.delAltName(inv.netns, inv.ifName, netdev);
      } catch (e) {
        throw fail(`${where}: ${msg(e)}`);
      }

      // 4. IPAM, delegated with the raw stdin; its undo releases the lease.
      if (conf.ipam) {
        const type = conf.ipam.type;
        assertIpamTypeSupported(type);
        try {
          ipam = await ops.ipamAdd(type);
        } catch (e) {
          const code = e instanceof CniError ? e.code : 999;
          throw fail(
            `failed to set up IPAM plugin type ${goQuote(type)} from the device ${goQuote(record.master)}: ${msg(e)}`,
            code,
          );
        }
        undo.push('ipam', () => ops.ipamDel(type));
        if (ipam.ips.length === 0) throw fail('IPAM plugin returned missing IP config');
        await ops.configureIp(inv.netns, inv.ifName, ipam);
      }
    }

    // 5. Persist, only now that every change succeeded.
    try {
      ops.writeCache(inv.containerId, inv.ifName, record);
    } catch (e) {
      throw fail(`error saving NetConf: ${msg(e)}`);
    }
    undo.commit();
    ops.log('info', `attached VF ${pci} (PF ${record.master} vf ${record.vfId}) as ${inv.ifName}`);
    return ipam;
  } catch (e) {
    const code = e instanceof CniError ? e.code : 999;
    return undo.unwindAfter(e, (notes) => fail(`${msg(e)}; rollback failed: ${notes}`, code), msg);
  }
}

function singleRdmaDevice(pci: string, ops: IbOps): string {
  const devs = ops.rdmaDevices(pci);
  if (devs.length === 0) throw fail(`failed to get RDMA devices for PCI device: ${pci}. No RDMA devices found`);
  if (devs.length > 1)
    throw fail(`discovered more than one RDMA device [${devs.join(' ')}] for PCI device ${pci}. Unsupported state`);
  return devs[0]!;
}

function cacheOf(conf: IbSriovNetConf, inv: Invocation, place: VfPlace, hostName: string, vfio: boolean): IbCache {
  return {
    cniVersion: conf.cniVersion,
    name: conf.name,
    type: conf.type,
    ...(Object.keys(conf.capabilities).length > 0 ? { capabilities: { ...conf.capabilities } } : {}),
    ipamType: conf.ipam?.type ?? '',
    ...(conf.dns ? { dns: { ...conf.dns } } : {}),
    master: place.pf,
    deviceID: conf.deviceID,
    vfId: place.vfIndex,
    hostIfName: hostName,
    hostIfGuid: '',
    contIfName: vfio ? '' : inv.ifName,
    pkey: conf.pkey ?? '',
    linkState: conf.linkState ?? '',
    rdmaIsolation: conf.rdmaIsolation,
    ibKubernetesEnabled: conf.ibKubernetes.enabled,
    vfioPciMode: vfio,
    rdma: { deviceID: '', sandboxRdmaDevName: '', containerRdmaDevName: '' },
    runtimeGuid: conf.guid?.source === 'runtimeConfig' ? conf.guid.value : '',
    cniArgs: { ...conf.cniArgs },
    netns: inv.netns,
  };
}

/** The GUID the VF had before ADD (all-zero becomes all-F, as Go does), then rebind and the host name back. */
function restoreGuid(c: IbCache, ops: IbOps): void {
  const place = { pf: c.master, vfIndex: c.vfId };
  const guid = isAllZero(c.hostIfGuid) ? DEFAULT_GUID : c.hostIfGuid;
  ops.setVfGuid(place, 'node', guid);
  ops.setVfGuid(place, 'port', guid);
  if (c.vfioPciMode) return;
  ops.rebindVf(c.deviceID);
  // The rebind may bring the netdev back under another name (Go issue 51): give it its host name again.
  const now = ops.vfNetdev(c.deviceID);
  if (now && c.hostIfName && now !== c.hostIfName) ops.renameHostLink(now, c.hostIfName);
}

// ---------------------------------------------------------------------------------------------------------- DEL

export async function cmdDel(inv: Invocation, ops: IbOps): Promise<void> {
  if (inv.netns === '') return; // Go: no netns, nothing to do (the cache stays)
  const entry = attachmentFileName(inv.containerId, inv.ifName);
  let cached: IbCache | undefined;
  try {
    cached = ops.readCache(entry);
  } catch (e) {
    ops.log('error', `cannot read cached state, nothing to release: ${msg(e)}`); // Go: DEL succeeds
  }
  if (!cached) return skipCodeCacheForThisRun(); // a shortcut: not the DEL path its code cache should hold
  if (cached.ipamType && !cached.vfioPciMode) {
    assertIpamTypeSupported(cached.ipamType);
    await ops.ipamDel(cached.ipamType); // first, with the current stdin; an error keeps the cache for a retry
  }
  await releaseAttachment(cached, entry, inv.netns, inv.ifName, ops);
}

/** Everything of DEL after IPAM: netns gone / VF gone / PF → just the cache; else release, RDMA back, reset. */
async function releaseAttachment(c: IbCache, entry: string, netns: string, ifName: string, ops: IbOps): Promise<void> {
  const state = netns === '' ? 'missing' : ops.netnsState(netns);
  if (state !== 'ok') {
    // The kernel returned the netdev and the RDMA device to the host when the netns died (Go: NSPathNotExist).
    ops.log('warning', `netns ${goQuote(netns)} is ${state}; only the cached state is removed`);
    return ops.deleteCache(entry);
  }
  if (!ops.hasDevice(c.deviceID)) {
    ops.log('warning', `device ${c.deviceID} is gone; nothing to reset`);
    return ops.deleteCache(entry);
  }
  if (!ops.isVf(c.deviceID)) return ops.deleteCache(entry); // VFIO PF: ADD only cached
  const unlock = await ops.lock();
  try {
    // Under the pod name, or the host name when an earlier move+rename stopped half-way; nothing when already back.
    if (!c.vfioPciMode) releaseToHost({ netns, podName: c.contIfName || ifName, hostName: c.hostIfName }, ops);
    const rdmaDev = c.rdma.containerRdmaDevName;
    if (c.rdmaIsolation && !c.vfioPciMode && rdmaDev) {
      try {
        if (!ops.moveRdmaToHost(rdmaDev, netns)) ops.log('info', `RDMA device ${rdmaDev} is not in ${netns}`);
      } catch (e) {
        throw fail(`failed to restore RDMA device ${rdmaDev} to default namespace. ${msg(e)}`);
      }
    }
    const place = { pf: c.master, vfIndex: c.vfId };
    try {
      if (c.linkState) ops.setVfLinkState(place, 'auto');
      if (c.hostIfGuid) restoreGuid(c, ops);
    } catch (e) {
      throw fail(`failed to reset VF config for ${c.deviceID}: ${msg(e)}`);
    }
    ops.deleteCache(entry);
  } finally {
    unlock();
  }
}

// -------------------------------------------------------------------------------------------------------- CHECK

export const CHECK_CODES = { noCache: 100, noInterface: 101, missingAddress: 103 } as const;

/** *Beyond* Go's no-op: the cached attachment, its IPAM, the pod interface and the prevResult addresses. */
export async function cmdCheck(inv: Invocation, prev: Result | null, ops: IbOps): Promise<void> {
  if (!prev) throw fail('Required prevResult missing'); // 999, as host-device and our sriov answer
  const c = ops.readCache(attachmentFileName(inv.containerId, inv.ifName));
  if (!c) throw fail(`no cached state for ${inv.containerId}-${inv.ifName}`, CHECK_CODES.noCache);
  if (c.vfioPciMode) return;
  if (c.ipamType) await ops.ipamCheck(c.ipamType);
  if (!ops.getLink(inv.netns, inv.ifName))
    throw fail(`interface ${inv.ifName} not found in ${inv.netns}`, CHECK_CODES.noInterface);
  const [missing] = missingAddresses(prev, inv.netns, inv.ifName, ops.podAddresses(inv.netns, inv.ifName));
  if (missing) throw fail(`Failed to match addr ${missing} on interface ${inv.ifName}`, CHECK_CODES.missingAddress);
}

// ----------------------------------------------------------------------------------------------------------- GC

/**
 * *Beyond* Go (no GC): release every cached attachment of `network` that the runtime no longer lists, as DEL
 * would (IPAM GC is forwarded by the caller). Keeps going past failures and reports them all.
 */
export async function cmdGc(network: string, stale: readonly string[], ops: IbOps): Promise<void> {
  const release = async (entry: string) => {
    const c = ops.readCache(entry);
    if (!c || c.name !== network) return;
    // A Go-written cache has no netns: without it the VF cannot be found in a pod, so only the file goes.
    await releaseAttachment(c, entry, c.netns ?? '', c.contIfName, ops);
  };
  await releaseEach(stale, release, { describe: msg });
}

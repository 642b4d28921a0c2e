// The sriov plugin's verbs, top to bottom. Every ADD step that changes the node registers its undo right after
// it succeeds; any failure unwinds them newest first, so a failed ADD leaves the VF as it found it.

import {
  CniError,
  enablePodNotify,
  missingAddresses,
  missingRoutes,
  messageOf as msg,
  type PodAddressing,
  type PodSide,
  type PrevResultView,
  releaseEach,
  releaseToHost,
  sameMac,
  setMacVerified,
  UndoStack,
} from '@sriov-ts/cni';
import { USERSPACE_DRIVERS } from '@sriov-ts/sysfs-pci';
import type { AttachmentCache, OrigVfState } from './cache.js';
import type { SriovConf } from './conf.js';
import {
  describeKnob,
  type KnobChange,
  planAdd,
  planRestore,
  requestedKnobs,
  restoreOf,
  type VfKnobState,
} from './knobs.js';
import type { IpamResult, Ops, VfLocation } from './ops.js';

export interface Invocation {
  containerId: string;
  netns: string;
  ifName: string;
}

export interface AddOutcome {
  iface: { name: string; mac?: string | undefined; mtu: number; sandbox: string; pciID: string };
  ipam: IpamResult | undefined;
}

/** A plugin failure with the Go plugin's code (999 = its ErrInternal, for its own errors) and message. */
const fail = (message: string, code = 999, cause?: unknown) => new CniError(code, message, '', { cause });

const cacheKey = (inv: Pick<Invocation, 'containerId' | 'ifName'>) => `${inv.containerId}-${inv.ifName}`;

// ---------------------------------------------------------------------------------------------------------- ADD

export async function cmdAdd(conf: SriovConf, inv: Invocation, ops: Ops): Promise<AddOutcome> {
  if (conf.deviceID === '') return addLegacy(conf, inv, ops);
  const vf = locate(conf, ops);
  const unlock = await ops.lockVf(vf.pciAddress); // a one-shot process would hold it to exit; in-process callers must not
  try {
    return await addLocked(conf, vf, inv, ops);
  } finally {
    unlock();
  }
}

/**
 * *Beyond*: the original plugin's `master` form. `pfOnly` moves the PF itself; otherwise the VF named by CNI_ARGS
 * VF=N (or netconf `vf`) is used, or the first VF of the PF that has a netdev in the host and no live allocation,
 * picked under a PF lock so two ADDs never pick the same one.
 */
async function addLegacy(conf: SriovConf, inv: Invocation, ops: Ops): Promise<AddOutcome> {
  const pf = ops.pfByName(conf.master);
  if (!pf)
    throw fail(`SRIOV-CNI failed to load netconf: LoadConf(): master ${conf.master} is not a PCI network device`);
  const unlockPf = await ops.lockPf(pf.pciAddress);
  try {
    if (conf.pfOnly) {
      if (planAdd(conf.knobs).length > 0) throw fail('pfOnly: PF-side VF settings do not apply to the PF itself');
      const location = {
        pciAddress: pf.pciAddress,
        pf: conf.master,
        vfIndex: -1,
        netdev: conf.master,
        driver: pf.driver,
      };
      return await addLocked(conf, location, inv, ops);
    }
    const candidates = conf.vf === undefined ? pf.vfs : pf.vfs.filter((v) => v.index === conf.vf);
    if (candidates.length === 0) throw fail(`VF ${conf.vf} not found on PF ${conf.master}`);
    for (const candidate of candidates) {
      const vf = ops.locateVf(candidate.address);
      const owner = ops.readAllocation(vf.pciAddress);
      const taken = owner !== undefined && owner !== '' && ops.netnsState(owner) === 'ok';
      const free = vf.netdev !== undefined && ops.getLink(undefined, vf.netdev) !== undefined && !taken;
      if (!free && conf.vf === undefined) continue;
      const unlock = await ops.lockVf(vf.pciAddress);
      try {
        return await addLocked({ ...conf, deviceID: vf.pciAddress }, vf, inv, ops);
      } finally {
        unlock();
      }
    }
    throw fail(`no free VF on PF ${conf.master}`);
  } finally {
    unlockPf();
  }
}

async function addLocked(conf: SriovConf, vf: VfLocation, inv: Invocation, ops: Ops): Promise<AddOutcome> {
  claimAllocation(vf.pciAddress, ops);
  const dpdkMode = detectDpdk(vf);
  if (ops.netnsState(inv.netns) !== 'ok') throw fail(`failed to open netns "${inv.netns}"`);

  // Original state, read before the first change. The PF's VF list is read only when a knob needs it, so a
  // PF without one (the lab's veth) still attaches VFs when the config sets no PF-side knob.
  const plan = planAdd(conf.knobs);
  const host = vf.netdev === undefined ? undefined : ops.getLink(undefined, vf.netdev);
  if (vf.netdev !== undefined && host === undefined) {
    throw fail(
      `failed to set up pod interface "${inv.ifName}" from the device "${vf.pf}": link ${vf.netdev} not found`,
    );
  }
  // A PF that reports no VF list (the lab's veth) gets the request anyway so the kernel's own answer names the
  // knob; on real hardware the list is always there.
  const origKnobs = plan.length > 0 ? ops.readVf(vf.pf, vf.vfIndex) : undefined;
  const record = makeCache(conf, vf, inv, dpdkMode, host, origKnobs);
  const key = cacheKey(inv);
  const undo = new UndoStack();
  ops.writePending(key, record); // crash journal: a DEL after SIGKILL finds what to undo
  undo.push('journal', () => ops.deletePending(key));
  try {
    // 1. PF-side knobs, each restored on failure (the Go plugin leaves a half-applied set behind: #119).
    for (const change of plan) {
      await applyKnob(vf, change, ops);
      if (!origKnobs) {
        throw fail(`failed to get original vf information: failed to find vf ${vf.vfIndex} on PF ${vf.pf}`);
      }
      undo.push(`restore ${change.kind}`, () => applyKnob(vf, restoreOf(change, origKnobs), ops));
    }
    record.mtu = dpdkMode ? ops.pfMtu(vf.pf) : host!.mtu;

    // 2. The netdev: into the pod, renamed and up in one message; undo puts it back with name, MAC, MTU.
    let podMac: string | undefined;
    if (!dpdkMode) {
      const hostName = vf.netdev!;
      // Registered first: the kernel moves before it renames, so a rename refused in the pod (EEXIST) still
      // leaves the VF there under its host name, which the undo finds.
      undo.push('move into pod', () => releaseToHost(podSide(record, inv, host!.index), ops));
      ops.moveIntoNetns(hostName, inv.netns, inv.ifName);
      const moved = ops.getLink(inv.netns, inv.ifName);
      if (moved?.altNames.includes(hostName)) ops.delAltName(inv.netns, inv.ifName, hostName);
      if (conf.mac) await setMacVerified(inv.netns, inv.ifName, conf.mac, ops);
      enablePodNotify(inv.netns, inv.ifName, ops);
      podMac = conf.mac || host!.mac;
    }

    // 3. IPAM: delegated with the raw stdin; its undo releases the lease.
    let ipam: IpamResult | undefined;
    if (conf.ipamType) {
      try {
        ipam = await ops.ipamAdd();
      } catch (e) {
        throw fail(
          `failed to set up IPAM plugin type "${conf.ipamType}" from the device "${vf.pf}": ${msg(e)}`,
          codeOf(e),
          e,
        );
      }
      undo.push('ipam', () => ops.ipamDel());
      if (ipam.ips.length === 0) throw fail('IPAM plugin returned missing IP config');
      if (!dpdkMode) await ops.configureIp(inv.netns, inv.ifName, ipam);
    }

    // 4. Persist: only now, after every change succeeded.
    ops.writeCache(key, record);
    undo.push('cache', () => ops.deleteCache(key));
    ops.writeAllocation(vf.pciAddress, inv.netns);
    ops.deletePending(key);
    undo.commit();

    if (ipam && !dpdkMode) await ops.announce(inv.netns, inv.ifName, ipam).catch(() => undefined);
    // DPDK: report the admin MAC as Go does; a PF without a VF list (or an error) just leaves it out.
    const adminMac =
      dpdkMode && !conf.mac ? (origKnobs ?? tryRead(() => ops.readVf(vf.pf, vf.vfIndex)))?.adminMac : undefined;
    const mac = dpdkMode ? conf.mac || nonZeroMac(adminMac) : podMac;
    ops.log('info', `attached VF ${vf.pciAddress} (PF ${vf.pf} vf ${vf.vfIndex}) as ${inv.ifName}`, { dpdkMode });
    return { iface: { name: inv.ifName, mac, mtu: record.mtu, sandbox: inv.netns, pciID: vf.pciAddress }, ipam };
  } catch (e) {
    return undo.unwindAfter(e, (notes) => fail(`${msg(e)}; rollback failed: ${notes}`, codeOf(e), e));
  }
}

function locate(conf: SriovConf, ops: Ops): VfLocation {
  try {
    return ops.locateVf(conf.deviceID);
  } catch (e) {
    throw fail(`SRIOV-CNI failed to load netconf: LoadConf(): failed to get VF information: "${msg(e)}"`, 999, e);
  }
}

/** Refuse a VF whose allocation record names a netns that still exists; a stale record is dropped (#219). */
function claimAllocation(pciAddress: string, ops: Ops): void {
  const owner = ops.readAllocation(pciAddress);
  if (owner === undefined) return;
  if (owner !== '' && ops.netnsState(owner) === 'ok') {
    throw fail(`pci address ${pciAddress} is already allocated`);
  }
  ops.deleteAllocation(pciAddress);
}

/** A VF without a host netdev, bound to a userspace (DPDK) driver. */
const isUserspaceVf = (vf: Pick<VfLocation, 'netdev' | 'driver'>) =>
  vf.netdev === undefined && vf.driver !== undefined && USERSPACE_DRIVERS.includes(vf.driver);

function detectDpdk(vf: VfLocation): boolean {
  if (vf.netdev !== undefined) return false;
  if (isUserspaceVf(vf)) return true;
  throw fail(
    `SRIOV-CNI failed to load netconf: LoadConf(): the VF ${vf.pciAddress} does not have a interface name or a dpdk driver`,
  );
}

function makeCache(
  conf: SriovConf,
  vf: VfLocation,
  inv: Invocation,
  dpdkMode: boolean,
  host: { mac: string; mtu: number } | undefined,
  knobs: VfKnobState | undefined,
): AttachmentCache {
  const orig: OrigVfState = {
    hostIfName: vf.netdev ?? '',
    spoofchk: knobs?.spoofchk ?? false,
    trust: knobs?.trust ?? false,
    adminMac: knobs?.adminMac ?? '',
    effectiveMac: host?.mac ?? '',
    vlan: knobs?.vlan ?? 0,
    vlanQoS: knobs?.vlanQoS ?? 0,
    vlanProto: knobs?.vlanProto ?? 0,
    minTxRate: knobs?.minTxRate ?? 0,
    maxTxRate: knobs?.maxTxRate ?? 0,
    linkState: knobs?.linkState ?? 0,
    mtu: host?.mtu ?? 0,
  };
  return {
    cniVersion: conf.cniVersion,
    name: conf.name,
    type: conf.type,
    ipamType: conf.ipamType,
    dns: conf.dns,
    deviceID: vf.pciAddress,
    master: vf.pf,
    vfId: vf.vfIndex,
    mac: conf.mac,
    mtu: host?.mtu ?? 0,
    knobs: conf.rawKnobs,
    orig,
    runtimeMac: conf.runtimeMac,
    logLevel: conf.logLevel,
    logFile: conf.logFile,
    dpdkMode,
    ...(vf.vfIndex < 0 ? { pfOnly: true } : {}),
    ifName: inv.ifName,
    netns: inv.netns,
  };
}

async function applyKnob(vf: Pick<VfLocation, 'pf' | 'vfIndex'>, change: KnobChange, ops: Ops): Promise<void> {
  try {
    ops.setVfKnob(vf.pf, vf.vfIndex, change);
    if (change.kind === 'mac') await verifyAdminMac(vf, change.mac, ops);
  } catch (e) {
    throw fail(`SRIOV-CNI failed to configure VF "${describeKnob(vf.vfIndex, change)}: ${kernelText(e)}"`, 999, e);
  }
}

/** The admin MAC is applied asynchronously by some drivers: read it back from the PF, up to 20 × 100 ms. */
async function verifyAdminMac(vf: Pick<VfLocation, 'pf' | 'vfIndex'>, mac: string, ops: Ops): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const now = ops.readVf(vf.pf, vf.vfIndex);
    if (!now || sameMac(now.adminMac, mac)) return; // no VF list: nothing to compare against
    if (attempt === 19) throw new Error('hardware mac address is different from requested one');
    await ops.sleep(100);
  }
}

function tryRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function nonZeroMac(mac: string | undefined): string | undefined {
  return mac && mac !== '00:00:00:00:00:00' ? mac : undefined;
}

function podSide(c: AttachmentCache, inv: Pick<Invocation, 'netns' | 'ifName'>, index?: number): PodSide {
  const o = c.orig;
  return { netns: inv.netns, podName: inv.ifName, hostName: o.hostIfName, index, mac: o.effectiveMac, mtu: o.mtu };
}

// ---------------------------------------------------------------------------------------------------------- DEL

export async function cmdDel(inv: Invocation, ops: Ops): Promise<void> {
  const key = cacheKey(inv);
  const cached = safeRead(() => ops.readCache(key), ops) ?? safeRead(() => ops.readPending(key), ops);
  if (!cached) return; // nothing cached: already deleted, or ADD never reached its first change
  const unlock = await ops.lockVf(cached.deviceID);
  try {
    await delLocked(cached, key, inv, ops);
  } finally {
    unlock();
  }
}

async function delLocked(cached: AttachmentCache, key: string, inv: Invocation, ops: Ops): Promise<void> {
  // 1. IPAM first (an error keeps the cache so the runtime's retry repeats it).
  if (cached.ipamType) await ops.ipamDel();
  if (inv.netns === '') return finish(key, ops);

  // 2. Never touch a VF another container owns now (stale DEL after the VF was re-allocated: #219/#313).
  // Paths are compared as files (/var/run/netns/x and /run/netns/x are one netns); a dead owner owns nothing.
  const owner = ops.readAllocation(cached.deviceID);
  if (owner && owner !== inv.netns && ops.netnsState(owner) === 'ok' && !ops.sameFile(owner, inv.netns)) {
    ops.log('info', 'VF is allocated to another netns; not resetting it', { owner, deviceID: cached.deviceID });
    return finish(key, ops);
  }
  if (!cached.pfOnly && !ops.vfExists(cached.deviceID)) {
    ops.log('warning', `VF ${cached.deviceID} is gone; nothing to reset`);
    ops.deleteAllocation(cached.deviceID);
    return finish(key, ops);
  }

  // 3. PF-side knobs back to what they were (before the netdev: some drivers refuse MAC changes otherwise). A knob
  // the PF refuses is reported, but the netdev is still released and the state dropped, so the runtime's retry
  // succeeds (the Go plugin's observable behaviour: the error is returned once).
  const vf = { pf: cached.master, vfIndex: cached.vfId };
  const set = requestedKnobs(cached.knobs, cached.mac);
  const needsRead = !cached.pfOnly && (planAdd(set).length > 0 || cached.orig.adminMac !== '');
  let resetError: CniError | undefined;
  try {
    const current = needsRead ? ops.readVf(vf.pf, vf.vfIndex) : undefined;
    for (const change of planRestore(set, cached.orig, current)) {
      try {
        ops.setVfKnob(vf.pf, vf.vfIndex, change);
      } catch (e) {
        const text = `${describeKnob(vf.vfIndex, change)}: ${kernelText(e)}`;
        resetError ??= fail(`cmdDel() error reseting VF: "${text}"`, 999, e);
      }
    }
  } catch (e) {
    resetError = fail(`cmdDel() error reseting VF: "${msg(e)}"`, 999, e);
  }

  // 4. The netdev back to the host (netdev mode only; our cache says which, a Go cache is re-detected).
  const dpdk = cached.dpdkMode ?? isDpdkNow(cached.deviceID, ops);
  if (!dpdk && ops.netnsState(inv.netns) === 'ok') releaseToHost(podSide(cached, inv), ops);
  ops.deleteAllocation(cached.deviceID);
  finish(key, ops);
  ops.log('info', `released VF ${cached.deviceID} (host name ${cached.orig.hostIfName || '-'})`);
  if (resetError) throw resetError;
}

function finish(key: string, ops: Ops): void {
  ops.deleteCache(key);
  ops.deletePending(key);
}

function safeRead(read: () => AttachmentCache | undefined, ops: Ops): AttachmentCache | undefined {
  try {
    return read();
  } catch (e) {
    ops.log('error', `cannot read cached state: ${msg(e)}`); // Go: unreadable cache ⇒ DEL succeeds
    return undefined;
  }
}

function isDpdkNow(pciAddress: string, ops: Ops): boolean {
  try {
    return isUserspaceVf(ops.locateVf(pciAddress));
  } catch {
    return false;
  }
}

// -------------------------------------------------------------------------------------------------------- CHECK

export const CHECK_CODES = {
  noCache: 100,
  noInterface: 101,
  wrongMac: 102,
  missingAddress: 103,
  missingRoute: 104,
} as const;

export async function cmdCheck(
  inv: Invocation,
  prev: PrevResultView | undefined,
  ops: Ops,
  readAddresses: (netns: string, ifName: string) => PodAddressing,
): Promise<void> {
  if (!prev) throw fail('Required prevResult missing'); // 999, as host-device and macvlan
  const cached = ops.readCache(cacheKey(inv));
  if (!cached) throw fail(`no cached state for ${cacheKey(inv)}: the attachment does not exist`, CHECK_CODES.noCache);
  if (cached.ipamType) await ops.ipamCheck();
  if (cached.dpdkMode) return;
  const link = ops.getLink(inv.netns, inv.ifName);
  if (!link) throw fail(`interface ${inv.ifName} not found in ${inv.netns}`, CHECK_CODES.noInterface);
  const want = cached.mac || cached.orig.effectiveMac;
  if (want && !sameMac(link.mac, want)) {
    throw fail(`interface ${inv.ifName} has MAC ${link.mac}, expected ${want}`, CHECK_CODES.wrongMac);
  }
  const have = readAddresses(inv.netns, inv.ifName);
  const [ip] = missingAddresses(prev, inv.netns, inv.ifName, have.addresses);
  if (ip) throw fail(`Failed to match addr ${ip} on interface ${inv.ifName}`, CHECK_CODES.missingAddress);
  const [r] = missingRoutes(prev, have.routes);
  if (r) {
    const route = `${r.dst}${r.gw ? ` via ${r.gw}` : ''}`;
    throw fail(`Failed to match route ${route} on interface ${inv.ifName}`, CHECK_CODES.missingRoute);
  }
}

// ---------------------------------------------------------------------------------------------------------- GC

/**
 * Release every attachment of this network that the runtime no longer lists: reset and release the VF, drop its
 * allocation record and cache. (IPAM GC is forwarded by the caller.) Continues past failures, reports them all.
 */
export async function cmdGc(
  network: string,
  valid: { containerID: string; ifname: string }[],
  ops: Ops,
): Promise<void> {
  const keep = new Set(valid.map((a) => cacheKey({ containerId: a.containerID, ifName: a.ifname })));
  // Caches of finished ADDs, and crash journals of ADDs whose process died (never DELed).
  const entries = [
    ...ops.listCacheKeys().map((key) => ({ key, read: () => ops.readCache(key) })),
    ...ops.listPendingKeys().map((key) => ({ key, read: () => ops.readPending(key) })),
  ].filter((e) => !keep.has(e.key));
  const release = async ({ key, read }: (typeof entries)[number]) => {
    const first = read();
    if (!first || first.name !== network) return;
    const unlock = await ops.lockVf(first.deviceID);
    try {
      const c = read(); // again under the lock: a DEL may have finished in between
      if (!c) return;
      // Ours record the pod-side name and netns; for a Go file the key is "<containerID>-<ifName>" (k8s IDs
      // have no "-") and the allocation record names the netns.
      const ifName = c.ifName ?? key.slice(key.indexOf('-') + 1);
      const netns = ops.readAllocation(c.deviceID) ?? c.netns ?? '';
      await delLocked({ ...c, ipamType: '' }, key, { containerId: '', ifName, netns }, ops); // IPAM: GC is forwarded
    } finally {
      unlock();
    }
  };
  await releaseEach(entries, release, { nameOf: (e) => e.key });
}

// ---------------------------------------------------------------------------------------------------- helpers

/** A kernel refusal in the Go plugin's words ("operation not supported"), anything else as its message. */
function kernelText(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'errno' in e && 'description' in e && typeof e.description === 'string') {
    return e.description;
  }
  return msg(e);
}

function codeOf(e: unknown): number {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'number' ? e.code : 999;
}

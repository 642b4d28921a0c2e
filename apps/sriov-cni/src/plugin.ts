// The sriov plugin's verbs, top to bottom. Every ADD step that changes the node registers its undo right after
// it succeeds; any failure unwinds them newest first, so a failed ADD leaves the VF as it found it.

import {
  type CmdArgs,
  CniError,
  describeVfKnob,
  enablePodNotify,
  findInPod,
  type GcAttachment,
  missingAddresses,
  missingRoutes,
  messageOf as msg,
  type NetdevLink,
  type PodSide,
  type PrevResultView,
  planVfKnobRestore,
  planVfKnobs,
  type Result,
  readSriovCache,
  releaseEach,
  releaseToHost,
  restoreVfKnob,
  type SriovCache,
  sameMac,
  setMacVerified,
  skipCodeCacheForThisRun,
  UndoStack,
  type VfKnobChange,
  type VfKnobState,
  writeSriovCache,
  zeroOrigVfState,
} from '@sriov-ts/cni';
import { ipamRunsOutsidePod } from '@sriov-ts/ipam-client';
import { USERSPACE_DRIVERS } from '@sriov-ts/sysfs-pci';
import type { SriovConf } from './conf.js';
import type { Node } from './node.js';

export type Invocation = Pick<CmdArgs, 'containerId' | 'netns' | 'ifName'>;

/** A plugin failure with the Go plugin's code (999 = its ErrInternal, for its own errors) and message. */
const fail = (message: string, code = 999, cause?: unknown) => new CniError(code, message, '', { cause });

const cacheKey = (inv: Pick<Invocation, 'containerId' | 'ifName'>) => `${inv.containerId}-${inv.ifName}`;

// ---------------------------------------------------------------------------------------------------------- ADD

export async function cmdAdd(conf: SriovConf, inv: Invocation, node: Node) {
  if (conf.deviceID === '') return addLegacy(conf, inv, node);
  let vf: VfLocation;
  try {
    vf = locateVf(conf.deviceID, node);
  } catch (e) {
    throw fail(`SRIOV-CNI failed to load netconf: LoadConf(): failed to get VF information: "${msg(e)}"`, 999, e);
  }
  const unlock = await node.state.lock(vf.pciAddress); // a one-shot process would hold it to exit; in-process callers must not
  try {
    return await addLocked(conf, vf, inv, node);
  } finally {
    unlock();
  }
}

/**
 * *Beyond*: the original plugin's `master` form. `pfOnly` moves the PF itself; otherwise the VF named by CNI_ARGS
 * VF=N (or netconf `vf`) is used, or the first VF of the PF that has a netdev in the host and no live allocation,
 * picked under a PF lock so two ADDs never pick the same one.
 */
async function addLegacy(conf: SriovConf, inv: Invocation, node: Node) {
  const pfAddress = node.sysfs.netdevPciAddress(conf.master);
  if (pfAddress === null)
    throw fail(`SRIOV-CNI failed to load netconf: LoadConf(): master ${conf.master} is not a PCI network device`);
  const driver = node.sysfs.driver(pfAddress) ?? undefined;
  const vfs = node.sysfs.vfs(pfAddress);
  const unlockPf = await node.state.lock(pfAddress, 'pf_lock');
  try {
    if (conf.pfOnly) {
      if (planVfKnobs(conf.knobs, conf.mac).length > 0)
        throw fail('pfOnly: PF-side VF settings do not apply to the PF itself');
      const pf = { pciAddress: pfAddress, pf: conf.master, vfIndex: -1, netdev: conf.master, driver };
      return await addLocked(conf, pf, inv, node);
    }
    const candidates = conf.vf === undefined ? vfs : vfs.filter((v) => v.index === conf.vf);
    if (candidates.length === 0) throw fail(`VF ${conf.vf} not found on PF ${conf.master}`);
    for (const candidate of candidates) {
      const vf = locateVf(candidate.address, node);
      const free =
        vf.netdev !== undefined &&
        node.netdev.getLink(undefined, vf.netdev) !== undefined &&
        !liveOwner(vf.pciAddress, node);
      if (!free && conf.vf === undefined) continue;
      const unlock = await node.state.lock(vf.pciAddress);
      try {
        return await addLocked(conf, vf, inv, node);
      } finally {
        unlock();
      }
    }
    throw fail(`no free VF on PF ${conf.master}`);
  } finally {
    unlockPf();
  }
}

async function addLocked(conf: SriovConf, vf: VfLocation, inv: Invocation, node: Node) {
  // A VF whose allocation record names a netns that still exists is refused; a stale record is dropped (#219).
  if (liveOwner(vf.pciAddress, node)) throw fail(`pci address ${vf.pciAddress} is already allocated`);
  node.state.deleteAllocation(vf.pciAddress);
  const dpdkMode = detectDpdk(vf);
  if (node.netns.state(inv.netns) !== 'ok') throw fail(`failed to open netns "${inv.netns}"`);

  // Original state, read before the first change. The PF's VF list is read only when a knob needs it, so a
  // PF without one (the lab's veth) still attaches VFs when the config sets no PF-side knob.
  const plan = planVfKnobs(conf.knobs, conf.mac);
  const host = vf.netdev === undefined ? undefined : node.netdev.getLink(undefined, vf.netdev);
  if (vf.netdev !== undefined && host === undefined) {
    throw fail(
      `failed to set up pod interface "${inv.ifName}" from the device "${vf.pf}": link ${vf.netdev} not found`,
    );
  }
  // A PF that reports no VF list (the lab's veth) gets the request anyway so the kernel's own answer names the
  // knob; on real hardware the list is always there.
  const origKnobs = plan.length > 0 ? node.vfs.read(vf.pf, vf.vfIndex) : undefined;
  // The MTU reported: the VF's, or in DPDK mode the PF's (Go PR #295).
  const mtu = dpdkMode ? node.vfs.pfMtu(vf.pf) : host!.mtu;
  const record = cacheRecord(conf, vf, inv, dpdkMode, host, origKnobs, mtu);
  const key = cacheKey(inv);
  const undo = new UndoStack();
  // Crash journal: a DEL after SIGKILL finds what to undo. It holds the cache's content and becomes the cache.
  writeSriovCache(node.state, 'pending', key, record);
  undo.push('journal', () => node.state.delete('pending', key));
  try {
    // 1. PF-side knobs, each restored on failure (the Go plugin leaves a half-applied set behind: #119).
    for (const change of plan) {
      await applyKnob(vf, change, node);
      if (!origKnobs) {
        throw fail(`failed to get original vf information: failed to find vf ${vf.vfIndex} on PF ${vf.pf}`);
      }
      undo.push(`restore ${change.kind}`, () => applyKnob(vf, restoreVfKnob(change, origKnobs), node));
    }

    // 2. The netdev: into the pod, renamed and up in one message; undo puts it back with name, MAC, MTU.
    //    *Beyond*: an IPAM plugin that never looks at the pod starts first and runs on another CPU meanwhile (the
    //    kernel's move waits out an RCU grace period); others (dhcp…) need the interface and start in step 3.
    let podMac: string | undefined;
    let podIndex: number | undefined;
    let ipamRun: Promise<Result> | undefined;
    if (!dpdkMode) {
      const hostName = vf.netdev!;
      // Registered first: the kernel moves before it renames, so a rename refused in the pod (EEXIST) still
      // leaves the VF there under its host name, which the undo finds.
      undo.push('move into pod', () => releaseToHost(podSide(record, inv, host!.index), node.netdev));
      if (ipamRunsOutsidePod(conf.ipamType)) ipamRun = startIpam(conf, vf, node, undo);
      node.netdev.moveIntoNetns(host!.index, inv.netns, inv.ifName); // by ifindex: no lookup before the rename
      const moved = node.netdev.getLink(inv.netns, inv.ifName);
      podIndex = moved?.index;
      if (moved?.altNames.includes(hostName)) node.netdev.delAltName(inv.netns, inv.ifName, hostName);
      if (conf.mac) await setMacVerified(inv.netns, inv.ifName, conf.mac, node.netdev);
      enablePodNotify(inv.netns, inv.ifName, node.netdev);
      podMac = conf.mac || host!.mac;
    }

    // 3. IPAM (unless step 2 started it): delegated with the raw stdin; its undo releases the lease.
    let ipam: Result | undefined;
    if (conf.ipamType) {
      ipam = await (ipamRun ?? startIpam(conf, vf, node, undo));
      if (ipam.ips.length === 0) throw fail('IPAM plugin returned missing IP config');
      if (!dpdkMode) await node.ipam.configure(inv.netns, inv.ifName, ipam, podIndex);
    }

    // 4. Persist: only now, after every change succeeded (the journal is renamed into the cache).
    node.state.promote(key);
    undo.push('cache', () => node.state.delete('cache', key));
    node.state.writeAllocation(vf.pciAddress, inv.netns);
    undo.commit();

    if (ipam && !dpdkMode) await node.ipam.announce(inv.netns, inv.ifName, ipam).catch(() => undefined);
    // DPDK: report the admin MAC as Go does; a PF without a VF list (or an error) just leaves it out.
    const adminMac = dpdkMode && !conf.mac ? (origKnobs ?? tryReadVf(vf, node))?.adminMac : undefined;
    const mac = dpdkMode ? conf.mac || nonZeroMac(adminMac) : podMac;
    node.log.info(`attached VF ${vf.pciAddress} (PF ${vf.pf} vf ${vf.vfIndex}) as ${inv.ifName}`, { dpdkMode });
    return { iface: { name: inv.ifName, mac, mtu: record.mtu, sandbox: inv.netns, pciID: vf.pciAddress }, ipam };
  } catch (e) {
    return undo.unwindAfter(e, (notes) => fail(`${msg(e)}; rollback failed: ${notes}`, codeOf(e), e));
  }
}

/**
 * Starts the IPAM ADD (the plugin is running when this returns) and registers its undo, which releases the lease
 * once the run has succeeded. The returned promise rejects with the Go plugin's wording.
 */
function startIpam(conf: SriovConf, vf: VfLocation, node: Node, undo: UndoStack): Promise<Result> {
  let started: Promise<Result>;
  try {
    started = node.ipam.add();
  } catch (e) {
    started = Promise.reject(e);
  }
  const run = started.catch((e) => {
    const text = `failed to set up IPAM plugin type "${conf.ipamType}" from the device "${vf.pf}": ${msg(e)}`;
    throw fail(text, codeOf(e), e);
  });
  const succeeded = run.then(() => true).catch(() => false);
  undo.push('ipam', async () => {
    if (await succeeded) await node.ipam.del();
  });
  return run;
}

/**
 * DEL's read-only look at the VF (step 2). Never touch a VF another container owns now (stale DEL after the VF was
 * re-allocated: #219/#313); paths are compared as files (/var/run/netns/x and /run/netns/x are one netns) and a dead
 * owner owns nothing. A VF that left sysfs has nothing to reset. In netdev mode (our cache says which, a Go cache is
 * re-detected) it also finds the netdev in the pod for step 4; a lookup that fails is left to step 4, so its error
 * comes where it did.
 */
function lookAtVf(cached: SriovCache, inv: Invocation, node: Node) {
  const { state, sysfs, netns } = node;
  const owner = state.readAllocation(cached.deviceID);
  const ownedElsewhere =
    !!owner && owner !== inv.netns && netns.state(owner) === 'ok' && !netns.sameFile(owner, inv.netns);
  const vanished =
    !ownedElsewhere &&
    !cached.pfOnly &&
    !(sysfs.hasPciDevice(cached.deviceID) && sysfs.vfIndex(cached.deviceID) !== null);
  const netdevMode = !ownedElsewhere && !vanished && !(cached.dpdkMode ?? isDpdkNow(cached.deviceID, node));
  let pod: { inPod: NetdevLink | undefined } | undefined;
  if (netdevMode && netns.state(inv.netns) === 'ok') {
    try {
      pod = { inPod: findInPod(podSide(cached, inv), node.netdev) };
    } catch {
      pod = undefined;
    }
  }
  return { owner, ownedElsewhere, vanished, netdevMode, pod };
}

function locateVf(pci: string, { sysfs }: Node) {
  if (!sysfs.hasPciDevice(pci)) throw new Error(`lstat /sys/bus/pci/devices/${pci}: no such file or directory`);
  const pf = sysfs.pfNetdevsOfVf(pci)[0];
  if (pf === undefined) throw new Error('PF network device not found');
  const vfIndex = sysfs.vfIndex(pci);
  if (vfIndex === null) throw new Error(`unable to get VF ID with PF: ${pf} and VF pci address ${pci}`);
  return { pciAddress: pci, pf, vfIndex, netdev: sysfs.netdevs(pci)[0], driver: sysfs.driver(pci) ?? undefined };
}
type VfLocation = ReturnType<typeof locateVf>;

/** Whether the VF's allocation record names a netns that exists (a dead owner owns nothing). */
function liveOwner(pciAddress: string, node: Node): boolean {
  const owner = node.state.readAllocation(pciAddress);
  return owner !== undefined && owner !== '' && node.netns.state(owner) === 'ok';
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

function cacheRecord(
  conf: SriovConf,
  vf: VfLocation,
  inv: Invocation,
  dpdkMode: boolean,
  host: { mac: string; mtu: number } | undefined,
  knobs: VfKnobState | undefined,
  mtu: number,
): SriovCache {
  const hostSide = { hostIfName: vf.netdev ?? '', effectiveMac: host?.mac ?? '', mtu: host?.mtu ?? 0 };
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
    mtu,
    knobs: conf.knobs,
    orig: { ...zeroOrigVfState(), ...knobs, ...hostSide },
    runtimeMac: conf.runtimeMac,
    logLevel: conf.logLevel,
    logFile: conf.logFile,
    dpdkMode,
    ...(conf.pfOnly ? { pfOnly: true } : {}),
    ifName: inv.ifName,
    netns: inv.netns,
  };
}

async function applyKnob(vf: Pick<VfLocation, 'pf' | 'vfIndex'>, change: VfKnobChange, node: Node): Promise<void> {
  try {
    node.vfs.set(vf.pf, vf.vfIndex, change);
    if (change.kind === 'mac') await verifyAdminMac(vf, change.mac, node);
  } catch (e) {
    throw fail(`SRIOV-CNI failed to configure VF "${describeVfKnob(vf.vfIndex, change)}: ${kernelText(e)}"`, 999, e);
  }
}

/** The admin MAC is applied asynchronously by some drivers: read it back from the PF, up to 20 × 100 ms. */
async function verifyAdminMac(vf: Pick<VfLocation, 'pf' | 'vfIndex'>, mac: string, node: Node): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const now = node.vfs.read(vf.pf, vf.vfIndex);
    if (!now || sameMac(now.adminMac, mac)) return; // no VF list: nothing to compare against
    if (attempt === 19) throw new Error('hardware mac address is different from requested one');
    await node.netdev.sleep(100);
  }
}

function tryReadVf(vf: VfLocation, node: Node): VfKnobState | undefined {
  try {
    return node.vfs.read(vf.pf, vf.vfIndex);
  } catch {
    return undefined;
  }
}

function nonZeroMac(mac: string | undefined): string | undefined {
  return mac && mac !== '00:00:00:00:00:00' ? mac : undefined;
}

function podSide(c: SriovCache, inv: Pick<Invocation, 'netns' | 'ifName'>, index?: number): PodSide {
  const o = c.orig;
  return { netns: inv.netns, podName: inv.ifName, hostName: o.hostIfName, index, mac: o.effectiveMac, mtu: o.mtu };
}

// ---------------------------------------------------------------------------------------------------------- DEL

export async function cmdDel(inv: Invocation, node: Node): Promise<void> {
  const key = cacheKey(inv);
  const cached = safeRead(node, 'cache', key) ?? safeRead(node, 'pending', key);
  if (!cached) return skipCodeCacheForThisRun(); // nothing cached: already deleted, or ADD never got to a change
  const unlock = await node.state.lock(cached.deviceID);
  try {
    await delLocked(cached, key, inv, node);
  } finally {
    unlock();
  }
}

async function delLocked(cached: SriovCache, key: string, inv: Invocation, node: Node): Promise<void> {
  const { state } = node;
  // 1. IPAM first (an error keeps the cache so the runtime's retry repeats it). 2. The plugin runs while lookAtVf
  // reads the node; nothing is changed or logged before it has succeeded.
  const ipamReleased = cached.ipamType ? node.ipam.del() : undefined;
  let seen: ReturnType<typeof lookAtVf> | undefined;
  try {
    if (inv.netns !== '') seen = lookAtVf(cached, inv, node);
  } finally {
    await ipamReleased; // its error, if any, wins over the look's, as IPAM comes first in Go
  }
  if (!seen) return finish(key, node); // CNI_NETNS empty
  const { owner, ownedElsewhere, vanished } = seen;
  if (ownedElsewhere) {
    node.log.info('VF is allocated to another netns; not resetting it', { owner, deviceID: cached.deviceID });
    return finish(key, node);
  }
  if (vanished) {
    node.log.warning(`VF ${cached.deviceID} is gone; nothing to reset`);
    state.deleteAllocation(cached.deviceID);
    return finish(key, node);
  }

  // 3. PF-side knobs back to what they were (before the netdev: some drivers refuse MAC changes otherwise). A knob
  // the PF refuses is reported, but the netdev is still released and the state dropped, so the runtime's retry
  // succeeds (the Go plugin's observable behaviour: the error is returned once).
  const vf = { pf: cached.master, vfIndex: cached.vfId };
  const set = planVfKnobs(cached.knobs, cached.mac);
  const needsRead = !cached.pfOnly && (set.length > 0 || cached.orig.adminMac !== '');
  let resetError: CniError | undefined;
  try {
    const current = needsRead ? node.vfs.read(vf.pf, vf.vfIndex) : undefined;
    for (const change of planVfKnobRestore(set, cached.orig, current)) {
      try {
        node.vfs.set(vf.pf, vf.vfIndex, change);
      } catch (e) {
        const text = `${describeVfKnob(vf.vfIndex, change)}: ${kernelText(e)}`;
        resetError ??= fail(`cmdDel() error reseting VF: "${text}"`, 999, e);
      }
    }
  } catch (e) {
    resetError = fail(`cmdDel() error reseting VF: "${msg(e)}"`, 999, e);
  }

  // 4. The netdev back to the host (netdev mode only), found in the pod by step 2 while IPAM ran.
  if (seen.netdevMode && (seen.pod || node.netns.state(inv.netns) === 'ok')) {
    releaseToHost(podSide(cached, inv), node.netdev, seen.pod);
  }
  state.deleteAllocation(cached.deviceID);
  finish(key, node);
  node.log.info(`released VF ${cached.deviceID} (host name ${cached.orig.hostIfName || '-'})`);
  if (resetError) throw resetError;
}

function finish(key: string, { state }: Node): void {
  state.delete('cache', key);
  state.delete('pending', key);
}

function safeRead(node: Node, kind: 'cache' | 'pending', key: string): SriovCache | undefined {
  try {
    return readSriovCache(node.state, kind, key);
  } catch (e) {
    node.log.error(`cannot read cached state: ${msg(e)}`); // Go: unreadable cache ⇒ DEL succeeds
    return undefined;
  }
}

function isDpdkNow(pciAddress: string, node: Node): boolean {
  try {
    return isUserspaceVf(locateVf(pciAddress, node));
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

export async function cmdCheck(inv: Invocation, prev: PrevResultView | null, node: Node): Promise<void> {
  if (!prev) throw fail('Required prevResult missing'); // 999, as host-device and macvlan
  const cached = readSriovCache(node.state, 'cache', cacheKey(inv));
  if (!cached) throw fail(`no cached state for ${cacheKey(inv)}: the attachment does not exist`, CHECK_CODES.noCache);
  if (cached.ipamType) await node.ipam.check();
  if (cached.dpdkMode) return;
  const link = node.netdev.getLink(inv.netns, inv.ifName);
  if (!link) throw fail(`interface ${inv.ifName} not found in ${inv.netns}`, CHECK_CODES.noInterface);
  const want = cached.mac || cached.orig.effectiveMac;
  if (want && !sameMac(link.mac, want)) {
    throw fail(`interface ${inv.ifName} has MAC ${link.mac}, expected ${want}`, CHECK_CODES.wrongMac);
  }
  const have = node.netdev.addressing(inv.netns, inv.ifName);
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
export async function cmdGc(network: string, valid: GcAttachment[], node: Node): Promise<void> {
  const keep = new Set(valid.map((a) => cacheKey({ containerId: a.containerID, ifName: a.ifname })));
  // Caches of finished ADDs, and crash journals of ADDs whose process died (never DELed).
  const entries = (['cache', 'pending'] as const)
    .flatMap((kind) => node.state.list(kind).map((key) => ({ key, read: () => readSriovCache(node.state, kind, key) })))
    .filter((e) => !keep.has(e.key));
  const release = async ({ key, read }: (typeof entries)[number]) => {
    const first = read();
    if (!first || first.name !== network) return;
    const unlock = await node.state.lock(first.deviceID);
    try {
      const c = read(); // again under the lock: a DEL may have finished in between
      if (!c) return;
      // Ours record the pod-side name and netns; for a Go file the key is "<containerID>-<ifName>" (k8s IDs
      // have no "-") and the allocation record names the netns.
      const ifName = c.ifName ?? key.slice(key.indexOf('-') + 1);
      const netns = node.state.readAllocation(c.deviceID) ?? c.netns ?? '';
      await delLocked({ ...c, ipamType: '' }, key, { containerId: '', ifName, netns }, node); // IPAM: GC is forwarded
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

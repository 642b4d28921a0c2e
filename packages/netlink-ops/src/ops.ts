// NetlinkOps: every operation bound to one transport. The module-level functions use a default instance on the
// native transport, created on first use.
import * as addr from './addr.js';
import { DEFAULT_TIMEOUT_MS } from './connection.js';
import type { NetnsOption, OpsContext } from './context.js';
import * as events from './events.js';
import type { LinkRef } from './link.js';
import * as link from './link.js';
import * as rdma from './rdma.js';
import * as route from './route.js';
import * as sysctl from './sysctl.js';
import { type NetlinkTransport, nativeTransport } from './transport.js';
import type { VfLinkState, VfVlan } from './vf.js';

type Tail<F> = F extends (ctx: OpsContext, ...rest: infer R) => unknown ? R : never;

export interface NetlinkOpsOptions {
  /** Default: the native kernel transport. Tests pass createRecordingTransport(...). */
  transport?: NetlinkTransport;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
}

/** All operations, bound to one transport. Create with createNetlinkOps(). */
export class NetlinkOps {
  readonly ctx: OpsContext;

  constructor(opts: NetlinkOpsOptions = {}) {
    this.ctx = { transport: opts.transport ?? nativeTransport, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  }

  // links
  getLink(...a: Tail<typeof link.getLink>) {
    return link.getLink(this.ctx, ...a);
  }
  findLink(...a: Tail<typeof link.findLink>) {
    return link.findLink(this.ctx, ...a);
  }
  listLinks(...a: Tail<typeof link.listLinks>) {
    return link.listLinks(this.ctx, ...a);
  }
  setLink(...a: Tail<typeof link.setLink>) {
    return link.setLink(this.ctx, ...a);
  }
  setLinkUp(l: LinkRef, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, l, { up: true }, opts);
  }
  setLinkDown(l: LinkRef, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, l, { up: false }, opts);
  }
  setLinkMtu(l: LinkRef, mtu: number, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, l, { mtu }, opts);
  }
  setLinkMac(l: LinkRef, mac: string, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, l, { mac }, opts);
  }
  renameLink(l: LinkRef, newName: string, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, l, { name: newName }, opts);
  }
  /** null or '' clears the alias. */
  setLinkAlias(l: LinkRef, alias: string | null, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, l, { alias: alias ?? '' }, opts);
  }
  /** null releases the link from its master. */
  setLinkMaster(l: LinkRef, master: LinkRef | null, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, l, { master }, opts);
  }
  addAltName(...a: Tail<typeof link.addAltName>) {
    return link.addAltName(this.ctx, ...a);
  }
  deleteAltName(...a: Tail<typeof link.deleteAltName>) {
    return link.deleteAltName(this.ctx, ...a);
  }
  deleteLink(...a: Tail<typeof link.deleteLink>) {
    return link.deleteLink(this.ctx, ...a);
  }
  createVeth(...a: Tail<typeof link.createVeth>) {
    return link.createVeth(this.ctx, ...a);
  }
  createMacvlan(...a: Tail<typeof link.createMacvlan>) {
    return link.createMacvlan(this.ctx, ...a);
  }
  createBridge(...a: Tail<typeof link.createBridge>) {
    return link.createBridge(this.ctx, ...a);
  }
  moveLink(...a: Tail<typeof link.moveLink>) {
    return link.moveLink(this.ctx, ...a);
  }

  // VF attributes on a PF (one RTM_SETLINK each)
  setVfMac(pf: LinkRef, vf: number, mac: string, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, pf, { vf: { vf, mac } }, opts);
  }
  /** IFLA_VF_VLAN_LIST with the VLAN protocol (802.1Q default, or 802.1ad). */
  setVfVlan(pf: LinkRef, vf: number, vlan: VfVlan, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, pf, { vf: { vf, vlan } }, opts);
  }
  /** Plain IFLA_VF_VLAN (no protocol), for drivers that lack VLAN_LIST. */
  setVfVlanLegacy(pf: LinkRef, vf: number, vlan: { vlan: number; qos?: number }, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, pf, { vf: { vf, vlanLegacy: vlan } }, opts);
  }
  setVfSpoofchk(pf: LinkRef, vf: number, on: boolean, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, pf, { vf: { vf, spoofchk: on } }, opts);
  }
  setVfTrust(pf: LinkRef, vf: number, on: boolean, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, pf, { vf: { vf, trust: on } }, opts);
  }
  setVfLinkState(pf: LinkRef, vf: number, state: VfLinkState, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, pf, { vf: { vf, linkState: state } }, opts);
  }
  /** Mbit/s; 0 = unlimited. */
  setVfRate(pf: LinkRef, vf: number, rate: { minTxRate: number; maxTxRate: number }, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, pf, { vf: { vf, rate } }, opts);
  }
  /** One GUID attribute per request (the kernel ignores a second one in the same nest). */
  setVfGuid(pf: LinkRef, vf: number, which: 'node' | 'port', guid: string | bigint, opts: NetnsOption = {}) {
    return link.setLink(this.ctx, pf, { vf: which === 'node' ? { vf, nodeGuid: guid } : { vf, portGuid: guid } }, opts);
  }

  // addresses and routes
  addAddress(...a: Tail<typeof addr.addAddress>) {
    return addr.addAddress(this.ctx, ...a);
  }
  deleteAddress(...a: Tail<typeof addr.deleteAddress>) {
    return addr.deleteAddress(this.ctx, ...a);
  }
  listAddresses(...a: Tail<typeof addr.listAddresses>) {
    return addr.listAddresses(this.ctx, ...a);
  }
  addRoute(...a: Tail<typeof route.addRoute>) {
    return route.addRoute(this.ctx, ...a);
  }
  deleteRoute(...a: Tail<typeof route.deleteRoute>) {
    return route.deleteRoute(this.ctx, ...a);
  }
  listRoutes(...a: Tail<typeof route.listRoutes>) {
    return route.listRoutes(this.ctx, ...a);
  }

  // events, frames
  watchLinks(...a: Tail<typeof events.watchLinks>) {
    return events.watchLinks(this.ctx, ...a);
  }
  sendFrame(...a: Tail<typeof sysctl.sendFrame>) {
    return sysctl.sendFrame(this.ctx, ...a);
  }

  // RDMA
  getRdmaNetnsMode(...a: Tail<typeof rdma.getRdmaNetnsMode>) {
    return rdma.getRdmaNetnsMode(this.ctx, ...a);
  }
  setRdmaNetnsMode(...a: Tail<typeof rdma.setRdmaNetnsMode>) {
    return rdma.setRdmaNetnsMode(this.ctx, ...a);
  }
  listRdmaDevices(...a: Tail<typeof rdma.listRdmaDevices>) {
    return rdma.listRdmaDevices(this.ctx, ...a);
  }
  moveRdmaDevice(...a: Tail<typeof rdma.moveRdmaDevice>) {
    return rdma.moveRdmaDevice(this.ctx, ...a);
  }
}

export function createNetlinkOps(opts: NetlinkOpsOptions = {}): NetlinkOps {
  return new NetlinkOps(opts);
}

let defaultInstance: NetlinkOps | undefined;
/** The instance behind the module-level functions (native transport). */
export function defaultOps(): NetlinkOps {
  defaultInstance ??= new NetlinkOps();
  return defaultInstance;
}

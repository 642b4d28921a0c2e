// rtnetlink link operations: get/list, set (one RTM_SETLINK per call), create veth/macvlan/bridge, move, delete.
import { parseMac } from './addr-format.js';
import {
  AttributeIndex,
  AttrWriter,
  decodeAttributes,
  formatMac,
  type NetlinkMessage,
  NLA_F_NESTED,
  readString,
} from './codec.js';
import type { NetlinkConnection } from './connection.js';
import {
  AF_UNSPEC,
  IFF,
  IFLA,
  IFLA_INFO,
  IFLA_MACVLAN_MODE,
  MACVLAN_MODE,
  NLM_F,
  OPER_STATES,
  RTEXT_FILTER_SKIP_STATS,
  RTEXT_FILTER_VF,
  RTM,
  VETH_INFO_PEER,
} from './constants.js';
import { type NetnsOption, type OpsContext, withNetnsFd, withRoute } from './context.js';
import { NetlinkError } from './errors.js';
import { checkIfname, checkUint, InvalidArgumentError } from './validate.js';
import { parseVfInfoList, type VfChanges, type VfInfo, writeVfChanges, writeVfInfoList } from './vf.js';

/** A link by name or ifindex. */
export type LinkRef = string | number;

export interface LinkInfo {
  index: number;
  name: string;
  /** IFF_* flags. */
  flags: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** IFF_RUNNING (carrier and up). */
  running: boolean;
  /** IF_OPER_* as iproute2 prints it: 'UP', 'DOWN', 'LOWERLAYERDOWN', 'UNKNOWN'... */
  operState: string;
  mtu: number;
  /** Hardware address, lowercase colon-separated (20 octets for IPoIB). */
  mac?: string;
  broadcast?: string;
  permAddress?: string;
  /** ARPHRD_* (1 Ethernet, 32 InfiniBand, 772 loopback). */
  hwType: number;
  /** IFLA_INFO_KIND: 'veth', 'macvlan', 'bridge'... */
  kind?: string;
  /** Index of the master (bridge) device. */
  masterIndex?: number;
  /** IFLA_LINK: the parent/peer ifindex (in linkNetnsId's netns when that is set). */
  parentIndex?: number;
  linkNetnsId?: number;
  alias?: string;
  altNames: string[];
  txQueueLen?: number;
  carrier?: boolean;
  /** macvlan mode, for macvlan links. */
  macvlanMode?: keyof typeof MACVLAN_MODE;
  /** Parent device name (PCI address for a PF/VF netdev), when the kernel reports it. */
  parentDevName?: string;
  parentBusName?: string;
  /** IFLA_NUM_VF; only with `vfInfo: true`. */
  numVf?: number;
  /** Per-VF state; only with `vfInfo: true`. */
  vfs?: VfInfo[];
}

export interface GetLinkOptions extends NetnsOption {
  /** Ask for IFLA_NUM_VF and IFLA_VFINFO_LIST (IFLA_EXT_MASK = RTEXT_FILTER_VF). */
  vfInfo?: boolean;
  /** With vfInfo: include per-VF statistics (omitted by default, as iproute2 does). */
  vfStats?: boolean;
}

export function ifinfomsg(index = 0, flags = 0, change = 0, family = AF_UNSPEC): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(family, 0);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags >>> 0, 8);
  b.writeUInt32LE(change >>> 0, 12);
  return b;
}

/** IFNAMSIZ - 1 and ALTIFNAMSIZ - 1. */
const MAX_IFNAME = 15;
const MAX_ALTNAME = 127;

function checkRef(link: LinkRef): LinkRef {
  if (typeof link === 'number') {
    if (!Number.isInteger(link) || link <= 0 || link > 0x7fffffff)
      throw new InvalidArgumentError(`invalid ifindex ${link}`);
    return link;
  }
  // A name longer than 15 bytes can only be an alternative name (up to 127 bytes).
  if (typeof link === 'string' && Buffer.byteLength(link) > MAX_IFNAME) return checkAltName(link);
  return checkIfname(link);
}

export function checkAltName(name: string): string {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    Buffer.byteLength(name) > MAX_ALTNAME ||
    name === '.' ||
    name === '..' ||
    /[/:\s\0]/.test(name)
  )
    throw new InvalidArgumentError(`invalid interface or alternative name ${JSON.stringify(name)}`);
  return name;
}

/**
 * Writes the link selector: ifinfomsg with the index, or index 0 + IFLA_IFNAME (the kernel looks the name up;
 * IFLA_ALT_IFNAME for a name longer than an interface name can be, which only an altname can match).
 */
function selector(w: AttrWriter, link: LinkRef, flags = 0, change = 0): void {
  if (typeof link === 'number') w.raw(ifinfomsg(link, flags, change));
  else {
    w.raw(ifinfomsg(0, flags, change));
    w.string(Buffer.byteLength(link) > MAX_IFNAME ? IFLA.ALT_IFNAME : IFLA.IFNAME, link);
  }
}

const macvlanModes = Object.fromEntries(Object.entries(MACVLAN_MODE).map(([k, v]) => [v, k])) as Record<
  number,
  keyof typeof MACVLAN_MODE
>;

export function parseLink(m: NetlinkMessage): LinkInfo {
  const p = m.payload;
  const hwType = p.readUInt16LE(2);
  const index = p.readInt32LE(4);
  const flags = p.readUInt32LE(8);
  const a = new AttributeIndex(p, 16);
  const operIndex = a.u8(IFLA.OPERSTATE) ?? 0;
  const link: LinkInfo = {
    index,
    name: a.string(IFLA.IFNAME) ?? '',
    flags,
    up: (flags & IFF.UP) !== 0,
    running: (flags & IFF.RUNNING) !== 0,
    operState: OPER_STATES[operIndex] ?? String(operIndex),
    mtu: a.u32(IFLA.MTU) ?? 0,
    hwType,
    altNames: [],
  };
  const addressLength = a.length(IFLA.ADDRESS);
  if (addressLength) link.mac = formatMac(a.get(IFLA.ADDRESS)!);
  if (a.length(IFLA.BROADCAST)) link.broadcast = formatMac(a.get(IFLA.BROADCAST)!);
  if (a.length(IFLA.PERM_ADDRESS)) link.permAddress = formatMac(a.get(IFLA.PERM_ADDRESS)!);
  const master = a.u32(IFLA.MASTER);
  if (master) link.masterIndex = master;
  const parent = a.u32(IFLA.LINK);
  if (parent !== undefined && parent !== index) link.parentIndex = parent;
  const netnsId = a.i32(IFLA.LINK_NETNSID);
  if (netnsId !== undefined) link.linkNetnsId = netnsId;
  const alias = a.string(IFLA.IFALIAS);
  if (alias) link.alias = alias;
  const txq = a.u32(IFLA.TXQLEN);
  if (txq !== undefined) link.txQueueLen = txq;
  const carrier = a.u8(IFLA.CARRIER);
  if (carrier !== undefined) link.carrier = carrier !== 0;
  const parentDev = a.string(IFLA.PARENT_DEV_NAME);
  if (parentDev) link.parentDevName = parentDev;
  const parentBus = a.string(IFLA.PARENT_DEV_BUS_NAME);
  if (parentBus) link.parentBusName = parentBus;
  const props = a.get(IFLA.PROP_LIST);
  if (props) {
    for (const e of decodeAttributes(props)) if (e.type === IFLA.ALT_IFNAME) link.altNames.push(readString(e.data)!);
  }
  const info = a.get(IFLA.LINKINFO);
  if (info) {
    const i = new AttributeIndex(info);
    const kind = i.string(IFLA_INFO.KIND);
    if (kind) link.kind = kind;
    const data = i.get(IFLA_INFO.DATA);
    if (kind === 'macvlan' && data) {
      const mode = new AttributeIndex(data).u32(IFLA_MACVLAN_MODE);
      if (mode !== undefined && macvlanModes[mode]) link.macvlanMode = macvlanModes[mode];
    }
  }
  const numVf = a.u32(IFLA.NUM_VF);
  if (numVf !== undefined) link.numVf = numVf;
  const vfList = a.get(IFLA.VFINFO_LIST);
  if (vfList) link.vfs = parseVfInfoList(vfList, addressLength || 6);
  else if (numVf !== undefined) link.vfs = [];
  return link;
}

function getLinkOn(c: NetlinkConnection, link: LinkRef, opts: GetLinkOptions = {}): LinkInfo {
  const w = new AttrWriter(64);
  selector(w, link);
  if (opts.vfInfo) w.u32(IFLA.EXT_MASK, RTEXT_FILTER_VF | (opts.vfStats ? 0 : RTEXT_FILTER_SKIP_STATS));
  return parseLink(c.get(`getLink ${link}`, RTM.GETLINK, w.finish()));
}

/** The ifindex of a link: as given, or looked up by name. */
export function indexOf(c: NetlinkConnection, link: LinkRef): number {
  return typeof link === 'number' ? link : getLinkOn(c, link).index;
}

/** RTM_GETLINK for one link. Throws NetlinkError ENODEV when there is none. */
export function getLink(ctx: OpsContext, link: LinkRef, opts: GetLinkOptions = {}): LinkInfo {
  checkRef(link);
  return withRoute(ctx, opts.netns, (c) => getLinkOn(c, link, opts));
}

/** Like getLink, but undefined when the link does not exist (ENODEV). */
export function findLink(ctx: OpsContext, link: LinkRef, opts: GetLinkOptions = {}): LinkInfo | undefined {
  try {
    return getLink(ctx, link, opts);
  } catch (error) {
    if (error instanceof NetlinkError && error.code === 'ENODEV') return undefined;
    throw error;
  }
}

/** RTM_GETLINK dump: every link in the netns. */
export function listLinks(ctx: OpsContext, opts: GetLinkOptions = {}): LinkInfo[] {
  return withRoute(ctx, opts.netns, (c) => listLinksOn(c, opts));
}

export function listLinksOn(c: NetlinkConnection, opts: GetLinkOptions = {}): LinkInfo[] {
  const w = new AttrWriter(32);
  w.raw(ifinfomsg());
  if (opts.vfInfo) w.u32(IFLA.EXT_MASK, RTEXT_FILTER_VF | (opts.vfStats ? 0 : RTEXT_FILTER_SKIP_STATS));
  return c
    .dump('listLinks', RTM.GETLINK, w.finish())
    .filter((m) => m.type === RTM.NEWLINK)
    .map(parseLink);
}

/**
 * Changes to apply to a link in ONE RTM_SETLINK. Not atomic: the kernel applies them in this order (do_setlink)
 * and stops at the first failure, keeping what it already applied: mac, mtu, name, alias, up/down, master,
 * txQueueLen, then the VF attributes. A caller that must roll back undoes the earlier fields itself.
 */
export interface LinkChanges {
  mac?: string;
  mtu?: number;
  name?: string;
  /** '' clears the alias. */
  alias?: string;
  up?: boolean;
  /** Enslave to this master; null releases. */
  master?: LinkRef | null;
  txQueueLen?: number;
  /** VF attributes, when `link` is a PF. */
  vf?: VfChanges;
}

/** Applies `changes` to `link` in one RTM_SETLINK (see LinkChanges for the partial-failure rule). */
export function setLink(ctx: OpsContext, link: LinkRef, changes: LinkChanges, opts: NetnsOption = {}): void {
  checkRef(link);
  if (changes.name !== undefined) checkIfname(changes.name, 'new name');
  if (changes.mtu !== undefined) checkUint(changes.mtu, 32, 'MTU');
  if (changes.txQueueLen !== undefined) checkUint(changes.txQueueLen, 32, 'txqueuelen');
  if (changes.alias !== undefined && (typeof changes.alias !== 'string' || Buffer.byteLength(changes.alias) > 255))
    throw new InvalidArgumentError('alias: expected a string of at most 255 bytes');
  const mac = changes.mac === undefined ? undefined : parseMac(changes.mac);
  withRoute(ctx, opts.netns, (c) => {
    // A rename (or a VF change, which iproute2 also addresses by index) needs the ifindex in the header.
    const byIndex = changes.name !== undefined || changes.vf !== undefined;
    const target: LinkRef = byIndex ? indexOf(c, link) : link;
    const master =
      changes.master === undefined ? undefined : changes.master === null ? 0 : indexOf(c, checkRef(changes.master));
    const w = new AttrWriter(128);
    const up = changes.up;
    selector(w, target, up ? IFF.UP : 0, up === undefined ? 0 : IFF.UP);
    if (mac) w.bytes(IFLA.ADDRESS, mac);
    if (changes.mtu !== undefined) w.u32(IFLA.MTU, changes.mtu);
    if (changes.name !== undefined) w.string(IFLA.IFNAME, changes.name);
    if (changes.alias !== undefined) w.string(IFLA.IFALIAS, changes.alias);
    if (master !== undefined) w.u32(IFLA.MASTER, master);
    if (changes.txQueueLen !== undefined) w.u32(IFLA.TXQLEN, changes.txQueueLen);
    if (changes.vf) writeVfChanges(w, changes.vf);
    c.ack(`setLink ${link}`, RTM.SETLINK, 0, w.finish());
  });
}

export interface MoveLinkOptions extends NetnsOption {
  /** Destination netns path. */
  toNetns: string;
  /** Rename in the same request (applied after the move, in the destination). */
  newName?: string;
  /** Set up in the same request. */
  up?: boolean;
}

/**
 * Moves a link to another netns in ONE RTM_NEWLINK (IFLA_NET_NS_FD + IFLA_IFNAME [+ IFF_UP]). The kernel moves
 * first; if the rename then fails (EEXIST: the name is taken there) the link stays moved under its old name.
 * A moved link comes up down with its addresses flushed.
 */
export function moveLink(ctx: OpsContext, link: LinkRef, opts: MoveLinkOptions): void {
  checkRef(link);
  if (opts.newName !== undefined) checkIfname(opts.newName, 'new name');
  withRoute(ctx, opts.netns, (c) => {
    const target: LinkRef = opts.newName !== undefined ? indexOf(c, link) : link;
    withNetnsFd(ctx, opts.toNetns, (fd) => {
      const w = new AttrWriter(64);
      selector(w, target, opts.up ? IFF.UP : 0, opts.up === undefined ? 0 : IFF.UP);
      w.u32(IFLA.NET_NS_FD, fd);
      if (opts.newName !== undefined) w.string(IFLA.IFNAME, opts.newName);
      c.ack(`moveLink ${link}`, RTM.NEWLINK, 0, w.finish());
    });
  });
}

/** Deletes a link. Returns false when it was already gone. */
export function deleteLink(ctx: OpsContext, link: LinkRef, opts: NetnsOption = {}): boolean {
  checkRef(link);
  return withRoute(ctx, opts.netns, (c) => {
    const w = new AttrWriter(32);
    selector(w, link);
    try {
      c.ack(`deleteLink ${link}`, RTM.DELLINK, 0, w.finish());
      return true;
    } catch (error) {
      if (error instanceof NetlinkError && error.code === 'ENODEV') return false;
      throw error;
    }
  });
}

function linkProperty(ctx: OpsContext, type: number, link: LinkRef, altName: string, opts: NetnsOption): void {
  checkRef(link);
  checkAltName(altName);
  withRoute(ctx, opts.netns, (c) => {
    const w = new AttrWriter(64);
    selector(w, link);
    w.nest(IFLA.PROP_LIST | NLA_F_NESTED, () => w.string(IFLA.ALT_IFNAME, altName));
    c.ack(
      `${type === RTM.NEWLINKPROP ? 'addAltName' : 'deleteAltName'} ${link} ${altName}`,
      type,
      type === RTM.NEWLINKPROP ? NLM_F.CREATE | NLM_F.APPEND : 0,
      w.finish(),
    );
  });
}

/** Adds an alternative name (RTM_NEWLINKPROP). */
export function addAltName(ctx: OpsContext, link: LinkRef, altName: string, opts: NetnsOption = {}): void {
  linkProperty(ctx, RTM.NEWLINKPROP, link, altName, opts);
}

/** Removes an alternative name (RTM_DELLINKPROP). Returns false when the link has no such name. */
export function deleteAltName(ctx: OpsContext, link: LinkRef, altName: string, opts: NetnsOption = {}): boolean {
  try {
    linkProperty(ctx, RTM.DELLINKPROP, link, altName, opts);
    return true;
  } catch (error) {
    if (error instanceof NetlinkError && (error.code === 'ENOENT' || error.code === 'ENODATA')) return false;
    throw error;
  }
}

export interface CreateLinkOptions extends NetnsOption {
  mtu?: number;
  mac?: string;
  /** Create it up. */
  up?: boolean;
}

function newLinkHeader(w: AttrWriter, name: string, opts: CreateLinkOptions): void {
  checkIfname(name);
  w.raw(ifinfomsg(0, opts.up ? IFF.UP : 0, opts.up ? IFF.UP : 0));
  w.string(IFLA.IFNAME, name);
  if (opts.mtu !== undefined) w.u32(IFLA.MTU, checkUint(opts.mtu, 32, 'MTU'));
  if (opts.mac !== undefined) w.bytes(IFLA.ADDRESS, parseMac(opts.mac));
}

const CREATE = NLM_F.CREATE | NLM_F.EXCL;

export interface CreateVethOptions extends CreateLinkOptions {
  /** Create the peer directly in this netns. */
  peerNetns?: string;
  peerMac?: string;
  peerMtu?: number;
}

/** Creates a veth pair (RTM_NEWLINK, CREATE|EXCL). EEXIST when a name is taken. */
export function createVeth(ctx: OpsContext, name: string, peerName: string, opts: CreateVethOptions = {}): void {
  checkIfname(peerName, 'peer name');
  const build = (peerFd: number | undefined) => {
    const w = new AttrWriter(128);
    newLinkHeader(w, name, opts);
    w.nest(IFLA.LINKINFO, () => {
      w.string(IFLA_INFO.KIND, 'veth');
      w.nest(IFLA_INFO.DATA, () => {
        w.nest(VETH_INFO_PEER, () => {
          w.raw(ifinfomsg());
          w.string(IFLA.IFNAME, peerName);
          if (peerFd !== undefined) w.u32(IFLA.NET_NS_FD, peerFd);
          if (opts.peerMac !== undefined) w.bytes(IFLA.ADDRESS, parseMac(opts.peerMac, 'peer MAC'));
          const mtu = opts.peerMtu ?? opts.mtu;
          if (mtu !== undefined) w.u32(IFLA.MTU, checkUint(mtu, 32, 'peer MTU'));
        });
      });
    });
    return w.finish();
  };
  withRoute(ctx, opts.netns, (c) => {
    const send = (fd?: number) => c.ack(`createVeth ${name} ${peerName}`, RTM.NEWLINK, CREATE, build(fd));
    if (opts.peerNetns !== undefined) withNetnsFd(ctx, opts.peerNetns, send);
    else send();
  });
}

export interface CreateMacvlanOptions extends CreateLinkOptions {
  /** Default 'bridge'. */
  mode?: keyof typeof MACVLAN_MODE;
}

/** Creates a macvlan on `parent` (in the same netns). */
export function createMacvlan(ctx: OpsContext, name: string, parent: LinkRef, opts: CreateMacvlanOptions = {}): void {
  checkRef(parent);
  const mode = opts.mode ?? 'bridge';
  if (!(mode in MACVLAN_MODE)) throw new InvalidArgumentError(`unknown macvlan mode ${mode}`);
  withRoute(ctx, opts.netns, (c) => {
    const parentIndex = indexOf(c, parent);
    const w = new AttrWriter(128);
    newLinkHeader(w, name, opts);
    w.u32(IFLA.LINK, parentIndex);
    w.nest(IFLA.LINKINFO, () => {
      w.string(IFLA_INFO.KIND, 'macvlan');
      w.nest(IFLA_INFO.DATA, () => w.u32(IFLA_MACVLAN_MODE, MACVLAN_MODE[mode]));
    });
    c.ack(`createMacvlan ${name}`, RTM.NEWLINK, CREATE, w.finish());
  });
}

/** Creates a bridge. */
export function createBridge(ctx: OpsContext, name: string, opts: CreateLinkOptions = {}): void {
  withRoute(ctx, opts.netns, (c) => {
    const w = new AttrWriter(64);
    newLinkHeader(w, name, opts);
    w.nest(IFLA.LINKINFO, () => w.string(IFLA_INFO.KIND, 'bridge'));
    c.ack(`createBridge ${name}`, RTM.NEWLINK, CREATE, w.finish());
  });
}

/** What a fake PF answers to GETLINK: for tests that stand in for SR-IOV hardware. */
export interface LinkFixture {
  index: number;
  name: string;
  flags?: number;
  mtu?: number;
  mac?: string;
  hwType?: number;
  operState?: (typeof OPER_STATES)[number];
  numVf?: number;
  vfs?: VfInfo[];
}

/** Encodes an RTM_NEWLINK payload (ifinfomsg + attributes) as the kernel would send it for `link`. */
export function encodeLinkPayload(link: LinkFixture): Buffer {
  const w = new AttrWriter(256);
  const header = ifinfomsg(link.index, link.flags ?? IFF.UP | IFF.RUNNING | IFF.BROADCAST);
  header.writeUInt16LE(link.hwType ?? 1, 2);
  w.raw(header);
  w.string(IFLA.IFNAME, link.name);
  w.u32(IFLA.MTU, link.mtu ?? 1500);
  w.u8(IFLA.OPERSTATE, OPER_STATES.indexOf(link.operState ?? 'UP'));
  if (link.mac) w.bytes(IFLA.ADDRESS, parseMac(link.mac));
  if (link.numVf !== undefined || link.vfs) w.u32(IFLA.NUM_VF, link.numVf ?? link.vfs?.length ?? 0);
  if (link.vfs) writeVfInfoList(w, link.vfs);
  return w.finish();
}

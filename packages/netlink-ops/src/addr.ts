// rtnetlink addresses (IPv4 and IPv6).
import { bytesToIp, type IpFamily, ipToBytes, parseCidr } from './addr-format.js';
import { AttrWriter, attributeMap, readString, readU32 } from './codec.js';
import { AF_INET, AF_INET6, AF_UNSPEC, IFA, IFA_F, NLM_F, RT_SCOPE, RTM } from './constants.js';
import { type NetnsOption, type OpsContext, withRoute } from './context.js';
import { NetlinkError } from './errors.js';
import { indexOf, type LinkRef } from './link.js';
import { InvalidArgumentError } from './validate.js';

export type Scope = keyof typeof RT_SCOPE;

export interface AddressInfo {
  index: number;
  family: IpFamily;
  address: string;
  prefixLength: number;
  /** address/prefixLength */
  cidr: string;
  scope: Scope | number;
  /** IFA_F_* flags (IFA_FLAGS when present). */
  flags: number;
  /** The peer address of a point-to-point address, when it differs from the local one. */
  peer?: string;
  broadcast?: string;
  label?: string;
}

export interface AddAddressOptions extends NetnsOption {
  /** IPv4 broadcast; default computed from the prefix (as the Go netlink library does) for prefixes < 31. */
  broadcast?: string | false;
  scope?: Scope;
  /** IPv6: skip duplicate address detection (IFA_F_NODAD). */
  noDad?: boolean;
  /** Replace an existing address instead of failing with EEXIST. */
  replace?: boolean;
  /** IPv4 label (must start with the interface name). */
  label?: string;
}

const scopeNames = Object.fromEntries(Object.entries(RT_SCOPE).map(([k, v]) => [v, k])) as Record<number, Scope>;

function ifaddrmsg(family: IpFamily, prefixLength: number, flags: number, scope: number, index: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(family === 4 ? AF_INET : AF_INET6, 0);
  b.writeUInt8(prefixLength, 1);
  b.writeUInt8(flags & 0xff, 2);
  b.writeUInt8(scope, 3);
  b.writeUInt32LE(index, 4);
  return b;
}

function v4Broadcast(address: string, prefixLength: number): string {
  const n = ipToBytes(address).readUInt32BE(0);
  const host = prefixLength === 0 ? 0xffffffff : (1 << (32 - prefixLength)) - 1;
  const b = Buffer.alloc(4);
  b.writeUInt32BE((n | host) >>> 0);
  return bytesToIp(b);
}

/** Adds `cidr` (e.g. 10.1.2.3/24, fd00::5/64) to a link. EEXIST ("Address already assigned") if present. */
export function addAddress(ctx: OpsContext, link: LinkRef, cidr: string, opts: AddAddressOptions = {}): void {
  const { address, prefixLength, family } = parseCidr(cidr);
  const scope = opts.scope === undefined ? 0 : RT_SCOPE[opts.scope];
  if (scope === undefined) throw new InvalidArgumentError(`unknown scope ${opts.scope}`);
  const flags = opts.noDad ? IFA_F.NODAD : 0;
  withRoute(ctx, opts.netns, (c) => {
    const index = indexOf(c, link);
    const w = new AttrWriter(96);
    w.raw(ifaddrmsg(family, prefixLength, flags, scope, index));
    const bytes = ipToBytes(address);
    if (family === 4) w.bytes(IFA.LOCAL, bytes);
    w.bytes(IFA.ADDRESS, bytes);
    if (family === 4 && opts.broadcast !== false) {
      const broadcast = opts.broadcast ?? (prefixLength < 31 ? v4Broadcast(address, prefixLength) : undefined);
      if (broadcast !== undefined) w.bytes(IFA.BROADCAST, ipToBytes(broadcast));
    }
    if (opts.label !== undefined) w.string(IFA.LABEL, opts.label);
    if (flags) w.u32(IFA.FLAGS, flags);
    const mode = opts.replace ? NLM_F.CREATE | NLM_F.REPLACE : NLM_F.CREATE | NLM_F.EXCL;
    c.ack(`addAddress ${link} ${cidr}`, RTM.NEWADDR, mode, w.finish());
  });
}

/** Removes `cidr` from a link. Returns false when the link did not have it. */
export function deleteAddress(ctx: OpsContext, link: LinkRef, cidr: string, opts: NetnsOption = {}): boolean {
  const { address, prefixLength, family } = parseCidr(cidr);
  return withRoute(ctx, opts.netns, (c) => {
    const index = indexOf(c, link);
    const w = new AttrWriter(64);
    w.raw(ifaddrmsg(family, prefixLength, 0, 0, index));
    const bytes = ipToBytes(address);
    if (family === 4) w.bytes(IFA.LOCAL, bytes);
    w.bytes(IFA.ADDRESS, bytes);
    try {
      c.ack(`deleteAddress ${link} ${cidr}`, RTM.DELADDR, 0, w.finish());
      return true;
    } catch (error) {
      if (error instanceof NetlinkError && error.code === 'EADDRNOTAVAIL') return false;
      throw error;
    }
  });
}

export interface ListAddressesOptions extends NetnsOption {
  /** Only this link's addresses. */
  link?: LinkRef;
  family?: IpFamily;
}

/** Lists addresses (RTM_GETADDR dump), optionally of one link / one family. */
export function listAddresses(ctx: OpsContext, opts: ListAddressesOptions = {}): AddressInfo[] {
  return withRoute(ctx, opts.netns, (c) => {
    const index = opts.link === undefined ? undefined : indexOf(c, opts.link);
    const family = opts.family === 4 ? AF_INET : opts.family === 6 ? AF_INET6 : AF_UNSPEC;
    const header = Buffer.alloc(8);
    header.writeUInt8(family, 0);
    const out: AddressInfo[] = [];
    for (const m of c.dump('listAddresses', RTM.GETADDR, header)) {
      if (m.type !== RTM.NEWADDR) continue;
      const p = m.payload;
      const fam = p.readUInt8(0) === AF_INET ? 4 : p.readUInt8(0) === AF_INET6 ? 6 : 0;
      if (fam === 0) continue;
      const ifindex = p.readUInt32LE(4);
      if (index !== undefined && ifindex !== index) continue;
      if (opts.family !== undefined && fam !== opts.family) continue;
      const a = attributeMap(p, 8);
      const local = a.get(IFA.LOCAL);
      const addr = a.get(IFA.ADDRESS);
      const primary = local ?? addr;
      if (!primary) continue;
      const prefixLength = p.readUInt8(1);
      const scope = p.readUInt8(3);
      const info: AddressInfo = {
        index: ifindex,
        family: fam,
        address: bytesToIp(primary),
        prefixLength,
        cidr: `${bytesToIp(primary)}/${prefixLength}`,
        scope: scopeNames[scope] ?? scope,
        flags: readU32(a.get(IFA.FLAGS)) ?? p.readUInt8(2),
      };
      if (local && addr && !local.equals(addr)) info.peer = bytesToIp(addr);
      const broadcast = a.get(IFA.BROADCAST);
      if (broadcast) info.broadcast = bytesToIp(broadcast);
      const label = readString(a.get(IFA.LABEL));
      if (label) info.label = label;
      out.push(info);
    }
    return out;
  });
}

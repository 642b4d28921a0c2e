// rtnetlink routes (IPv4 and IPv6): gateway, table, scope, metric, MTU, preferred source.

import type { Scope } from './addr.js';
import { bytesToIp, type IpFamily, ipFamily, ipToBytes, parseCidr } from './addr-format.js';
import { AttrWriter, attributeMap, decodeAttributes, readU32 } from './codec.js';
import { AF_INET, AF_INET6, NLM_F, RT_SCOPE, RT_TABLE, RTA, RTAX_MTU, RTM, RTN, RTPROT } from './constants.js';
import { type NetnsOption, type OpsContext, withRoute } from './context.js';
import { NetlinkError } from './errors.js';
import { indexOf, type LinkRef } from './link.js';
import { checkUint, InvalidArgumentError } from './validate.js';

export type RouteType = 'unicast' | 'local' | 'broadcast' | 'anycast' | 'multicast' | 'blackhole' | 'unreachable';
const routeTypes: Record<RouteType, number> = {
  unicast: RTN.UNICAST,
  local: RTN.LOCAL,
  broadcast: RTN.BROADCAST,
  anycast: RTN.ANYCAST,
  multicast: RTN.MULTICAST,
  blackhole: RTN.BLACKHOLE,
  unreachable: RTN.UNREACHABLE,
};
const routeTypeNames = Object.fromEntries(Object.entries(routeTypes).map(([k, v]) => [v, k])) as Record<
  number,
  RouteType
>;
const scopeNames = Object.fromEntries(Object.entries(RT_SCOPE).map(([k, v]) => [v, k])) as Record<number, Scope>;

export interface RouteSpec {
  /** 'default' or a CIDR such as 10.0.0.0/8 / fd00::/64. */
  dst: string;
  /** Next hop. */
  gateway?: string;
  /** Output device (RTA_OIF). */
  link?: LinkRef;
  /** Routing table id; default main (254). */
  table?: number;
  /** Default: 'link' for a route without gateway, else 'universe' (as iproute2). */
  scope?: Scope;
  /** RTA_PRIORITY. */
  metric?: number;
  /** RTAX_MTU in RTA_METRICS. */
  mtu?: number;
  /** Preferred source address (RTA_PREFSRC). */
  src?: string;
  /** RTPROT_*; default RTPROT_BOOT (3), as iproute2. */
  protocol?: number;
  /** Default 'unicast'. */
  type?: RouteType;
  /** Needed only for dst 'default' without a gateway. */
  family?: IpFamily;
}

export interface RouteInfo {
  family: IpFamily;
  /** 'default' or a CIDR. */
  dst: string;
  gateway?: string;
  /** Output ifindex. */
  index?: number;
  table: number;
  scope: Scope | number;
  metric?: number;
  mtu?: number;
  src?: string;
  protocol: number;
  type: RouteType | number;
}

function routeFamily(spec: RouteSpec): IpFamily {
  if (spec.dst !== 'default') return parseCidr(spec.dst).family;
  if (spec.gateway) return ipFamily(spec.gateway);
  return spec.family ?? 4;
}

function encodeRoute(spec: RouteSpec, oif: number | undefined, deleting: boolean): Buffer {
  const family = routeFamily(spec);
  const dst = spec.dst === 'default' ? undefined : parseCidr(spec.dst);
  if (dst && dst.family !== family) throw new InvalidArgumentError('route: dst and family differ');
  if (spec.gateway && ipFamily(spec.gateway) !== family)
    throw new InvalidArgumentError('route: gateway family differs from dst');
  const table = spec.table ?? RT_TABLE.MAIN;
  checkUint(table, 32, 'table');
  const type = routeTypes[spec.type ?? 'unicast'];
  if (type === undefined) throw new InvalidArgumentError(`unknown route type ${spec.type}`);
  let scope: number;
  if (spec.scope !== undefined) {
    const s = RT_SCOPE[spec.scope];
    if (s === undefined) throw new InvalidArgumentError(`unknown scope ${spec.scope}`);
    scope = s;
  } else if (deleting)
    scope = RT_SCOPE.nowhere; // matches any scope, as iproute2's delete
  else scope = type === RTN.UNICAST && !spec.gateway ? RT_SCOPE.link : RT_SCOPE.universe;
  const header = Buffer.alloc(12);
  header.writeUInt8(family === 4 ? AF_INET : AF_INET6, 0);
  header.writeUInt8(dst?.prefixLength ?? 0, 1);
  header.writeUInt8(table < 256 ? table : RT_TABLE.UNSPEC, 4);
  header.writeUInt8(deleting ? 0 : (spec.protocol ?? RTPROT.BOOT), 5);
  header.writeUInt8(scope, 6);
  header.writeUInt8(deleting && spec.type === undefined ? 0 : type, 7);
  const w = new AttrWriter(96);
  w.raw(header);
  w.u32(RTA.TABLE, table);
  if (dst) w.bytes(RTA.DST, ipToBytes(dst.address));
  if (spec.gateway) w.bytes(RTA.GATEWAY, ipToBytes(spec.gateway));
  if (oif !== undefined) w.u32(RTA.OIF, oif);
  if (spec.metric !== undefined) w.u32(RTA.PRIORITY, checkUint(spec.metric, 32, 'metric'));
  if (spec.src) {
    if (ipFamily(spec.src) !== family) throw new InvalidArgumentError('route: src family differs from dst');
    w.bytes(RTA.PREFSRC, ipToBytes(spec.src));
  }
  if (spec.mtu !== undefined) {
    checkUint(spec.mtu, 32, 'route MTU');
    w.nest(RTA.METRICS, () => w.u32(RTAX_MTU, spec.mtu!));
  }
  return w.finish();
}

export interface AddRouteOptions extends NetnsOption {
  /** Replace a matching route instead of failing with EEXIST. */
  replace?: boolean;
  /**
   * Append (NLM_F_APPEND): a route to a destination that already has one becomes another path of it (ECMP), as
   * Go's `RouteAddEcmp` does. EEXIST only for an identical path.
   */
  append?: boolean;
}

/** Adds a route. EEXIST when an identical route exists (unless `replace` or `append`). */
export function addRoute(ctx: OpsContext, spec: RouteSpec, opts: AddRouteOptions = {}): void {
  withRoute(ctx, opts.netns, (c) => {
    const oif = spec.link === undefined ? undefined : indexOf(c, spec.link);
    if (opts.replace && opts.append) throw new InvalidArgumentError('addRoute: replace and append exclude each other');
    const mode = opts.replace
      ? NLM_F.CREATE | NLM_F.REPLACE
      : opts.append
        ? NLM_F.CREATE | NLM_F.APPEND
        : NLM_F.CREATE | NLM_F.EXCL;
    c.ack(`addRoute ${spec.dst}`, RTM.NEWROUTE, mode, encodeRoute(spec, oif, false));
  });
}

/** Deletes a route. Returns false when no such route exists (ESRCH). */
export function deleteRoute(ctx: OpsContext, spec: RouteSpec, opts: NetnsOption = {}): boolean {
  return withRoute(ctx, opts.netns, (c) => {
    let oif: number | undefined;
    try {
      oif = spec.link === undefined ? undefined : indexOf(c, spec.link);
    } catch (error) {
      // The route went away with its device.
      if (error instanceof NetlinkError && error.code === 'ENODEV') return false;
      throw error;
    }
    try {
      c.ack(`deleteRoute ${spec.dst}`, RTM.DELROUTE, 0, encodeRoute(spec, oif, true));
      return true;
    } catch (error) {
      if (error instanceof NetlinkError && error.code === 'ESRCH') return false;
      throw error;
    }
  });
}

export interface ListRoutesOptions extends NetnsOption {
  family?: IpFamily;
  /** A table id, or 'all'. Default main (254). */
  table?: number | 'all';
  /** Only routes through this link. */
  link?: LinkRef;
}

/** Lists routes (RTM_GETROUTE dump), filtered by table (main by default), family and link. */
export function listRoutes(ctx: OpsContext, opts: ListRoutesOptions = {}): RouteInfo[] {
  return withRoute(ctx, opts.netns, (c) => {
    const index = opts.link === undefined ? undefined : indexOf(c, opts.link);
    const families = opts.family ? [opts.family] : ([4, 6] as IpFamily[]);
    const table = opts.table ?? RT_TABLE.MAIN;
    const out: RouteInfo[] = [];
    for (const family of families) {
      const header = Buffer.alloc(12);
      header.writeUInt8(family === 4 ? AF_INET : AF_INET6, 0);
      for (const m of c.dump('listRoutes', RTM.GETROUTE, header)) {
        if (m.type !== RTM.NEWROUTE) continue;
        const p = m.payload;
        const a = attributeMap(p, 12);
        const routeTable = readU32(a.get(RTA.TABLE)) ?? p.readUInt8(4);
        if (table !== 'all' && routeTable !== table) continue;
        const oif = readU32(a.get(RTA.OIF));
        if (index !== undefined && oif !== index) continue;
        const dstLen = p.readUInt8(1);
        const dst = a.get(RTA.DST);
        const type = p.readUInt8(7);
        const scope = p.readUInt8(6);
        const info: RouteInfo = {
          family,
          dst: dst ? `${bytesToIp(dst)}/${dstLen}` : dstLen === 0 ? 'default' : `?/${dstLen}`,
          table: routeTable,
          scope: scopeNames[scope] ?? scope,
          protocol: p.readUInt8(5),
          type: routeTypeNames[type] ?? type,
        };
        const gateway = a.get(RTA.GATEWAY);
        if (gateway) info.gateway = bytesToIp(gateway);
        if (oif !== undefined) info.index = oif;
        const metric = readU32(a.get(RTA.PRIORITY));
        if (metric !== undefined) info.metric = metric;
        const src = a.get(RTA.PREFSRC);
        if (src) info.src = bytesToIp(src);
        const metrics = a.get(RTA.METRICS);
        if (metrics)
          for (const e of decodeAttributes(metrics)) if (e.type === RTAX_MTU) info.mtu = readU32(e.data) ?? 0;
        out.push(info);
      }
    }
    return out;
  });
}

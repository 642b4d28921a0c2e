// CNI Success results. Internally every result is the 1.1 model (`Result`); parseResult() reads any spec
// version's JSON into it and formatResult() writes it back out in any version, following the conversion rules
// of Go's types/020, types/040 and types/100 (see README "Version conversion").
import { CniError, ErrDecodingFailure, ErrIncompatibleCNIVersion, ErrInternal } from './errors.js';
import { goIndentJson, goQuote } from './go-format.js';
import { cidrFamily, ipFamily } from './ip.js';
import { jsonTypeName, resultFormatOf } from './version.js';

/** An interface in a result (1.1 model: mtu, socketPath and pciID are 1.1 additions). */
export interface CniInterface {
  name: string;
  /** Lower-case colon-separated hardware address. */
  mac?: string;
  mtu?: number;
  /** Netns path for a container interface; absent for host interfaces. */
  sandbox?: string;
  socketPath?: string;
  /** Platform PCI id, e.g. the VF BDF "0000:af:06.0". */
  pciID?: string;
}

export interface IPConfig {
  /** Index into `interfaces`; 0 is a valid index and is always printed. */
  interface?: number;
  /** CIDR with the host address, e.g. "10.1.0.5/16". */
  address: string;
  gateway?: string;
}

export interface Route {
  dst: string;
  gw?: string;
  mtu?: number;
  advmss?: number;
  priority?: number;
  table?: number;
  /** 0 global, 253 link, 254 host. */
  scope?: number;
}

export interface DNS {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

/** The internal (1.1) result model. `cniVersion` records the version a parsed result came in; output ignores it. */
export interface Result {
  cniVersion?: string;
  interfaces: CniInterface[];
  ips: IPConfig[];
  routes: Route[];
  dns: DNS;
}

/** 1.0.0 / 1.1.0 wire shape (Go types/100; both versions share it). */
export interface Result100Json {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: IPConfig[];
  routes?: Route[];
  dns?: DNS;
}

/** 0.3.0 / 0.3.1 / 0.4.0 wire shape (Go types/040). */
export interface Result040Json {
  cniVersion: string;
  interfaces?: Array<Pick<CniInterface, 'name' | 'mac' | 'sandbox'>>;
  ips?: Array<{ version: '4' | '6'; interface?: number; address: string; gateway?: string }>;
  routes?: Route[];
  /** Always printed, `{}` when empty, as Go's 0.4 type does. */
  dns: DNS;
}

/** 0.1.0 / 0.2.0 wire shape (Go types/020): one address per family, routes split by family. */
export interface IPConfig020Json {
  ip: string;
  gateway?: string;
  routes?: Array<Pick<Route, 'dst' | 'gw'>>;
}

export interface Result020Json {
  cniVersion: string;
  ip4?: IPConfig020Json;
  ip6?: IPConfig020Json;
  dns: DNS;
}

export type ResultJson = Result100Json | Result040Json | Result020Json;

export function emptyResult(): Result {
  return { interfaces: [], ips: [], routes: [], dns: {} };
}

// ---------------------------------------------------------------------------------------------------------
// Decoding

function decodeError(detail: string): CniError {
  return new CniError(ErrDecodingFailure, detail);
}

type Obj = Record<string, unknown>;

function asObject(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw decodeError(`${path}: expected an object, got ${jsonTypeName(v)}`);
  }
  return v as Obj;
}

/** Go json leaves a field at its zero value for null; so does this decoder. */
function optString(o: Obj, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw decodeError(`${path}.${key}: expected a string, got ${jsonTypeName(v)}`);
  return v;
}

function optInt(o: Obj, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw decodeError(`${path}.${key}: expected an integer, got ${JSON.stringify(v) ?? jsonTypeName(v)}`);
  }
  return v;
}

function optArray(o: Obj, key: string, path: string): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw decodeError(`${path}.${key}: expected an array, got ${jsonTypeName(v)}`);
  return v;
}

function optStringArray(o: Obj, key: string, path: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw decodeError(`${path}.${key}: expected an array of strings`);
  }
  return [...v];
}

function cidr(o: Obj, key: string, path: string, required: boolean): string | undefined {
  const v = optString(o, key, path);
  if (v === undefined || v === '') {
    if (required) throw decodeError(`${path}.${key}: missing CIDR address`);
    return undefined;
  }
  if (cidrFamily(v) === null) throw decodeError(`${path}.${key}: invalid CIDR address: ${v}`);
  return v;
}

function ip(o: Obj, key: string, path: string): string | undefined {
  const v = optString(o, key, path);
  if (v === undefined || v === '') return undefined;
  if (ipFamily(v) === null) throw decodeError(`${path}.${key}: invalid IP address: ${goQuote(v)}`);
  return v;
}

function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function decodeInterface(v: unknown, path: string, with11Fields: boolean): CniInterface {
  const o = asObject(v, path);
  const out: CniInterface = { name: optString(o, 'name', path) ?? '' };
  setIf(out, 'mac', optString(o, 'mac', path));
  if (with11Fields) setIf(out, 'mtu', optInt(o, 'mtu', path));
  setIf(out, 'sandbox', optString(o, 'sandbox', path));
  if (with11Fields) {
    setIf(out, 'socketPath', optString(o, 'socketPath', path));
    setIf(out, 'pciID', optString(o, 'pciID', path));
  }
  return out;
}

function decodeIPConfig(v: unknown, path: string): IPConfig {
  const o = asObject(v, path);
  const out: IPConfig = { address: cidr(o, 'address', path, true)! };
  // Field order in the object follows Go's struct (interface, address, gateway).
  const iface = optInt(o, 'interface', path);
  const gateway = ip(o, 'gateway', path);
  return { ...(iface !== undefined ? { interface: iface } : {}), ...out, ...(gateway ? { gateway } : {}) };
}

function decodeRoute(v: unknown, path: string): Route {
  const o = asObject(v, path);
  const out: Route = { dst: cidr(o, 'dst', path, true)! };
  setIf(out, 'gw', ip(o, 'gw', path));
  for (const k of ['mtu', 'advmss', 'priority', 'table', 'scope'] as const) setIf(out, k, optInt(o, k, path));
  return out;
}

function decodeDns(v: unknown, path: string): DNS {
  if (v === undefined || v === null) return {};
  const o = asObject(v, path);
  const out: DNS = {};
  setIf(out, 'nameservers', optStringArray(o, 'nameservers', path));
  setIf(out, 'domain', optString(o, 'domain', path));
  setIf(out, 'search', optStringArray(o, 'search', path));
  setIf(out, 'options', optStringArray(o, 'options', path));
  return out;
}

function decode020Ip(v: unknown, path: string, version: '4' | '6', result: Result): void {
  if (v === undefined || v === null) return;
  const o = asObject(v, path);
  const address = cidr(o, 'ip', path, true)!;
  const entry: IPConfig = { address };
  setIf(entry, 'gateway', ip(o, 'gateway', path));
  const fam = cidrFamily(address);
  if (String(fam) !== version) throw decodeError(`${path}.ip: ${address} is not an IPv${version} address`);
  result.ips.push(entry);
  optArray(o, 'routes', path).forEach((r, i) => {
    result.routes.push(decodeRoute(r, `${path}.routes[${i}]`));
  });
}

/**
 * Reads a Success result of any spec version into the 1.1 model.
 *
 * The version is the result's own non-empty `cniVersion`; without one, `fallbackVersion` (pass the config's
 * cniVersion: libcni assumes it for results lacking a version, and Go's ParsePrevResult does too). JSON `null`
 * reads as an empty result. Throws CniError code 6 (ErrDecodingFailure) with a field path on bad input and for
 * an unknown version.
 */
export function parseResult(value: unknown, fallbackVersion = '0.1.0'): Result {
  const o = value === null ? {} : asObject(value, 'result');
  const declared = o.cniVersion;
  if (declared !== undefined && declared !== null && typeof declared !== 'string') {
    throw decodeError(`result.cniVersion: expected a string, got ${jsonTypeName(declared)}`);
  }
  const version = typeof declared === 'string' && declared !== '' ? declared : fallbackVersion;
  const format = resultFormatOf(version);
  if (format === null) throw decodeError(`unsupported CNI result version ${goQuote(version)}`);
  const result: Result = { cniVersion: version, ...emptyResult() };
  if (format === '0.2') {
    decode020Ip(o.ip4, 'ip4', '4', result);
    decode020Ip(o.ip6, 'ip6', '6', result);
  } else {
    const with11 = format === '1.x';
    result.interfaces = optArray(o, 'interfaces', 'result').map((v, i) =>
      decodeInterface(v, `interfaces[${i}]`, with11),
    );
    result.ips = optArray(o, 'ips', 'result').map((v, i) => decodeIPConfig(v, `ips[${i}]`));
    result.routes = optArray(o, 'routes', 'result').map((v, i) => decodeRoute(v, `routes[${i}]`));
  }
  result.dns = decodeDns(o.dns, 'dns');
  return result;
}

/** parseResult() over JSON text or bytes (JSON syntax errors are code 6 too). */
export function parseResultText(text: string | Uint8Array, fallbackVersion = '0.1.0'): Result {
  const s = typeof text === 'string' ? text : new TextDecoder('utf-8', { ignoreBOM: true }).decode(text);
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch (e) {
    throw decodeError(`failed to parse result JSON: ${(e as Error).message}`);
  }
  return parseResult(value, fallbackVersion);
}

// ---------------------------------------------------------------------------------------------------------
// Encoding

function isDnsEmpty(d: DNS): boolean {
  return !d.nameservers?.length && !d.domain && !d.search?.length && !d.options?.length;
}

/** DNS as Go prints it: every field omitempty. */
function encodeDns(d: DNS): DNS {
  const out: DNS = {};
  if (d.nameservers?.length) out.nameservers = [...d.nameservers];
  if (d.domain) out.domain = d.domain;
  if (d.search?.length) out.search = [...d.search];
  if (d.options?.length) out.options = [...d.options];
  return out;
}

/** Route as Go prints it: gw/mtu/advmss/priority omitempty; table/scope are pointers (0 is printed). */
function encodeRoute(r: Route): Route {
  const out: Route = { dst: r.dst };
  if (r.gw) out.gw = r.gw;
  if (r.mtu) out.mtu = r.mtu;
  if (r.advmss) out.advmss = r.advmss;
  if (r.priority) out.priority = r.priority;
  if (r.table !== undefined) out.table = r.table;
  if (r.scope !== undefined) out.scope = r.scope;
  return out;
}

function familyOfAddress(address: string, where: string): '4' | '6' {
  const fam = cidrFamily(address);
  if (fam === null) throw new CniError(ErrInternal, `${where}: invalid CIDR address: ${address}`);
  return fam === 4 ? '4' : '6';
}

function format100(r: Result, version: string): Result100Json {
  const out: Result100Json = { cniVersion: version };
  if (r.interfaces.length) {
    out.interfaces = r.interfaces.map((i) => {
      const o: CniInterface = { name: i.name };
      if (i.mac) o.mac = i.mac;
      if (i.mtu) o.mtu = i.mtu;
      if (i.sandbox) o.sandbox = i.sandbox;
      if (i.socketPath) o.socketPath = i.socketPath;
      if (i.pciID) o.pciID = i.pciID;
      return o;
    });
  }
  if (r.ips.length) {
    out.ips = r.ips.map((ipc) => {
      const o = {} as IPConfig;
      if (ipc.interface !== undefined) o.interface = ipc.interface;
      o.address = ipc.address;
      if (ipc.gateway) o.gateway = ipc.gateway;
      return o;
    });
  }
  if (r.routes.length) out.routes = r.routes.map(encodeRoute);
  if (!isDnsEmpty(r.dns)) out.dns = encodeDns(r.dns);
  return out;
}

function format040(r: Result, version: string): Result040Json {
  const out = { cniVersion: version } as Result040Json;
  if (r.interfaces.length) {
    out.interfaces = r.interfaces.map((i) => {
      const o: Pick<CniInterface, 'name' | 'mac' | 'sandbox'> = { name: i.name };
      if (i.mac) o.mac = i.mac;
      if (i.sandbox) o.sandbox = i.sandbox;
      return o;
    });
  }
  if (r.ips.length) {
    out.ips = r.ips.map((ipc, n) => {
      const o = { version: familyOfAddress(ipc.address, `ips[${n}].address`) } as NonNullable<
        Result040Json['ips']
      >[number];
      if (ipc.interface !== undefined) o.interface = ipc.interface;
      o.address = ipc.address;
      if (ipc.gateway) o.gateway = ipc.gateway;
      return o;
    });
  }
  if (r.routes.length) out.routes = r.routes.map(encodeRoute);
  out.dns = encodeDns(r.dns);
  return out;
}

function format020(r: Result, version: string): Result020Json {
  let ip4: IPConfig020Json | undefined;
  let ip6: IPConfig020Json | undefined;
  for (const [n, ipc] of r.ips.entries()) {
    const fam = familyOfAddress(ipc.address, `ips[${n}].address`);
    const entry: IPConfig020Json = { ip: ipc.address };
    if (ipc.gateway) entry.gateway = ipc.gateway;
    if (fam === '4' && ip4 === undefined) ip4 = entry;
    else if (fam === '6' && ip6 === undefined) ip6 = entry;
    if (ip4 && ip6) break;
  }
  if (ip4 === undefined && ip6 === undefined) {
    throw new CniError(ErrInternal, 'cannot convert: no valid IP addresses');
  }
  for (const [n, route] of r.routes.entries()) {
    const target = familyOfAddress(route.dst, `routes[${n}].dst`) === '4' ? ip4 : ip6;
    if (target === undefined) continue;
    const o: Pick<Route, 'dst' | 'gw'> = { dst: route.dst };
    if (route.gw) o.gw = route.gw;
    if (target.routes === undefined) target.routes = [];
    target.routes.push(o);
  }
  const out = { cniVersion: version } as Result020Json;
  if (ip4) out.ip4 = ip4;
  if (ip6) out.ip6 = ip6;
  out.dns = encodeDns(r.dns);
  return out;
}

/**
 * The result as the wire object of `version`:
 * - 1.0.0/1.1.0: Go types/100 (empty dns omitted; 1.1 fields kept in 1.0.0 output, as Go does);
 * - 0.3.x/0.4.0: adds `ips[].version`, drops interface mtu/socketPath/pciID, always prints `dns`;
 * - 0.1.0/0.2.0: first IPv4 → `ip4`, first IPv6 → `ip6`, routes (dst/gw) to the family's entry, interfaces
 *   lost; no IP at all → code 999 "cannot convert: no valid IP addresses" (Go's error).
 * Unknown version → code 1.
 */
export function formatResult(result: Result, version: string): ResultJson {
  switch (resultFormatOf(version)) {
    case '1.x':
      return format100(result, version);
    case '0.4':
      return format040(result, version);
    case '0.2':
      return format020(result, version);
    default:
      throw new CniError(ErrIncompatibleCNIVersion, `unsupported CNI result version ${goQuote(version)}`);
  }
}

/** The text a plugin prints on stdout for a Success result (Go's 4-space indented JSON). */
export function resultText(result: Result, version: string): string {
  return goIndentJson(formatResult(result, version));
}

/**
 * `prevResult` of a request config, read in any version and up-converted to the 1.1 model; null when absent.
 * A prevResult without cniVersion is read as the config's version (Go ParsePrevResult). Failure: code 6,
 * message "could not parse prevResult: ...".
 */
export function parsePrevResult(conf: Readonly<Record<string, unknown>>): Result | null {
  const raw = conf.prevResult;
  if (raw === undefined || raw === null) return null;
  const confVersion = typeof conf.cniVersion === 'string' && conf.cniVersion !== '' ? conf.cniVersion : '0.1.0';
  try {
    return parseResult(raw, confVersion);
  } catch (e) {
    const err = e as CniError;
    throw new CniError(ErrDecodingFailure, `could not parse prevResult: ${err.msg}`, err.details);
  }
}

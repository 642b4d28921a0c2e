// sriovctl: what an operator otherwise finds out with lspci, ethtool, `ip link` and by reading CNI state files.
import { readFileSync } from 'node:fs';
import { uplinkNetdevs } from '@sriov-ts/device-selection';
import type { NetlinkOps } from '@sriov-ts/netlink-ops';
import { createSysfs } from '@sriov-ts/sysfs-pci';
import { DEFAULT_STATE_DIR, readVfHolders } from './cni-state.js';
import { collectInventory, type Inventory, type PfReport, type VfReport } from './inventory.js';
import { LINT_KINDS, LintInputError, type LintKind, lint } from './lint.js';
import { pciNames } from './pci-names.js';
import { collectPools, PoolConfigError, type PoolDeviceReport, type PoolsReport } from './pools.js';
import { table } from './table.js';

// Replaced at bundle time (tsup `define`) by the package version; 'dev' when running from source.
declare const __SRIOVCTL_VERSION__: string | undefined;
export const VERSION: string = typeof __SRIOVCTL_VERSION__ === 'string' ? __SRIOVCTL_VERSION__ : 'dev';

export const USAGE = `Usage: sriovctl <command> [options]

Commands:
  pfs                  SR-IOV capable PFs: vendor/device, driver, netdev, link state, VFs total/configured, NUMA
  vfs                  VFs with their PF-side knobs (VLAN, spoofchk, trust, link state, rates), MAC, driver,
                       and the pod netns that holds each one (from the sriov and ib-sriov CNI state)
  pools --config FILE  every network/accelerator device (and SF) with the device plugin pool that would
                       take it for that config, or why none does; then each pool's devices
  lint FILE|-          lint a device plugin config, a sriov/ib-sriov netconf, a conflist or a
                       NetworkAttachmentDefinition (JSON) with the plugins' own errors

Options:
  --json               machine-readable output
  --sysfs-root DIR     directory that stands for / (holding sys/ and dev/); default /
  --state-dir DIR      the CNI state root holding sriov/ and ib-sriov/; default ${DEFAULT_STATE_DIR}
  --pf PF              only this PF (PCI address or netdev name)
  --no-netlink         do not ask the kernel for link state and VF knobs (sysfs only)
  --kind KIND          lint as ${LINT_KINDS.join(' | ')} (default auto)
  --resource-prefix P  default resource prefix for device plugin configs (default intel.com)
  --all                pools: also list PCI functions that are neither network nor accelerator devices
  -h, --help           this help
  --version            print the version
`;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => string;
  netlink: () => NodeNetlink;
}

/** What sriovctl asks the kernel: VF knobs (findLink) and, for `pools`, the default-route links. */
export type NodeNetlink = Pick<NetlinkOps, 'findLink' | 'listLinks' | 'listRoutes'>;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface Parsed {
  command: string | null;
  positional: string[];
  json: boolean;
  help: boolean;
  version: boolean;
  netlink: boolean;
  all: boolean;
  sysfsRoot: string;
  stateDir: string;
  pf?: string;
  kind: LintKind;
  config?: string;
  resourcePrefix?: string;
}

const VALUE_FLAGS = new Set(['sysfs-root', 'state-dir', 'pf', 'kind', 'config', 'resource-prefix']);

export function parseArgs(argv: readonly string[]): Parsed {
  const p: Parsed = {
    command: null,
    positional: [],
    json: false,
    help: false,
    version: false,
    netlink: true,
    all: false,
    sysfsRoot: '/',
    stateDir: DEFAULT_STATE_DIR,
    kind: 'auto',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') p.help = true;
    else if (arg === '--json') p.json = true;
    else if (arg === '--version') p.version = true;
    else if (arg === '--no-netlink') p.netlink = false;
    else if (arg === '--all') p.all = true;
    else if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown option ${arg}`);
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '') throw new UsageError(`option --${name} needs a value`);
      if (name === 'sysfs-root') p.sysfsRoot = value;
      else if (name === 'state-dir') p.stateDir = value;
      else if (name === 'pf') p.pf = value;
      else if (name === 'config') p.config = value;
      else if (name === 'resource-prefix') p.resourcePrefix = value;
      else if (name === 'kind') {
        if (!(LINT_KINDS as readonly string[]).includes(value)) {
          throw new UsageError(`--kind must be one of ${LINT_KINDS.join(', ')}, not ${JSON.stringify(value)}`);
        }
        p.kind = value as LintKind;
      }
    } else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
    else if (p.command === null) p.command = arg;
    else p.positional.push(arg);
  }
  for (const [flag, v] of [
    ['--sysfs-root', p.sysfsRoot],
    ['--state-dir', p.stateDir],
  ] as const) {
    if (!v.startsWith('/') || v.includes('\0')) throw new UsageError(`${flag} must be an absolute path`);
  }
  return p;
}

const dash = (v: string | number | boolean | null | undefined) =>
  v === null || v === undefined || v === '' ? '-' : String(v);
const onOff = (v: boolean | null) => (v === null ? '-' : v ? 'on' : 'off');

function pfRows(pfs: PfReport[]): string[][] {
  return pfs.map((p) => [
    p.address,
    dash(p.netdev),
    `${p.vendor}:${p.device}`,
    [p.vendorName, p.deviceName].filter(Boolean).join(' ') || '-',
    dash(p.driver),
    dash(p.linkState),
    dash(p.linkType),
    `${p.numVfs}/${p.totalVfs}`,
    dash(p.numaNode),
  ]);
}

function holderText(v: VfReport): string {
  if (v.holders.length === 0) return '-';
  return v.holders
    .map((h) => {
      const where = h.netns ?? `(${h.attachment})`;
      const stale = h.netnsAlive === false ? ' [netns gone]' : '';
      return `${where}${h.podIfName ? `:${h.podIfName}` : ''}${stale}`;
    })
    .join(', ');
}

function vfRows(vfs: VfReport[]): string[][] {
  return vfs.map((v) => {
    const k = v.knobs;
    const vlan = k?.vlan ? `${k.vlan}${k.qos ? `/qos ${k.qos}` : ''}` : k ? '0' : '-';
    const rate = k && (k.minTxRate || k.maxTxRate) ? `${k.minTxRate ?? 0}-${k.maxTxRate ?? 0}` : '-';
    return [
      dash(v.pfNetdev ?? v.pf),
      String(v.index),
      v.address,
      dash(v.driver),
      dash(v.netdev ?? v.vfioDevice),
      dash(v.mac),
      dash(k?.mac),
      vlan,
      onOff(k?.spoofchk ?? null),
      onOff(k?.trust ?? null),
      dash(k?.linkState),
      rate,
      holderText(v),
    ];
  });
}

function inventory(p: Parsed, io: Io): Inventory {
  const sysfs = createSysfs({ root: p.sysfsRoot });
  return collectInventory({
    sysfs,
    names: pciNames(),
    ...(p.netlink ? { netlink: io.netlink() } : {}),
    holders: readVfHolders(p.stateDir),
    ...(p.pf ? { pf: p.pf } : {}),
  });
}

function readInput(path: string, io: Io): string {
  if (path === '-') return io.readStdin();
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Runs one sriovctl invocation; returns the exit code (0 ok, 1 lint errors or failure, 2 usage). */
export function run(argv: readonly string[], io: Io): number {
  let p: Parsed;
  try {
    p = parseArgs(argv);
  } catch (e) {
    io.stderr(`sriovctl: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (p.version) {
    io.stdout(`sriovctl version ${VERSION}\n`);
    return 0;
  }
  if (p.help || p.command === null) {
    (p.help ? io.stdout : io.stderr)(USAGE);
    return p.help ? 0 : 2;
  }
  try {
    switch (p.command) {
      case 'pfs': {
        const inv = inventory(p, io);
        if (p.json) io.stdout(`${JSON.stringify({ pfs: inv.pfs }, null, 2)}\n`);
        else {
          io.stdout(
            `${table(['PCI', 'NETDEV', 'ID', 'NAME', 'DRIVER', 'LINK', 'TYPE', 'VFS', 'NUMA'], pfRows(inv.pfs))}\n`,
          );
          if (inv.pfs.length === 0) io.stdout('no SR-IOV capable PF found\n');
        }
        return 0;
      }
      case 'vfs': {
        const inv = inventory(p, io);
        if (p.json) io.stdout(`${JSON.stringify({ vfs: inv.vfs, notes: inv.notes }, null, 2)}\n`);
        else {
          const header = ['PF', 'VF', 'PCI', 'DRIVER', 'NETDEV', 'MAC', 'ADMIN MAC', 'VLAN', 'SPOOFCHK', 'TRUST'];
          io.stdout(`${table([...header, 'LINK', 'RATE', 'POD NETNS'], vfRows(inv.vfs))}\n`);
          for (const n of inv.notes) io.stdout(`note: ${n}\n`);
        }
        return 0;
      }
      case 'pools':
        return pools(p, io);
      case 'lint': {
        const file = p.positional[0];
        if (!file) throw new UsageError('lint needs a file (or - for stdin)');
        const findings = lint(readInput(file, io), p.kind, p.resourcePrefix);
        if (p.json) io.stdout(`${JSON.stringify(findings, null, 2)}\n`);
        else {
          for (const f of findings) {
            if (f.ok) io.stdout(`${f.target}: ok${f.pools ? ` (pools: ${f.pools.join(', ') || 'none'})` : ''}\n`);
            else io.stdout(`${f.target}: error: ${f.error!.message}${f.error!.path ? ` (at ${f.error!.path})` : ''}\n`);
            for (const w of f.warnings) io.stdout(`${f.target}: warning: ${w}\n`);
          }
        }
        return findings.every((f) => f.ok) ? 0 : 1;
      }
      default:
        throw new UsageError(`unknown command ${JSON.stringify(p.command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`sriovctl: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof PoolConfigError) {
      io.stderr(`sriovctl pools: ${e.message}${e.path ? ` (at ${e.path})` : ''}\n`);
      return 1;
    }
    if (e instanceof LintInputError) {
      io.stderr(`sriovctl lint: ${e.message}\n`);
      return 1;
    }
    io.stderr(`sriovctl: ${(e as Error).message}\n`);
    return 1;
  }
}

/** Where the table's WHY column comes from: the matching selector, or the reason nothing takes the device. */
function poolWhy(d: PoolDeviceReport): string {
  if (d.pool === null) return d.reason;
  const also = d.alsoMatched.length > 0 ? `; also matches ${d.alsoMatched.join(', ')} (one pool per device)` : '';
  return `selectors[${d.selector}]${also}`;
}

function poolRows(devices: PoolDeviceReport[]): string[][] {
  return devices.map((d) => [
    d.id,
    dash(d.deviceType),
    d.ids,
    dash(d.driver),
    dash(d.netdevs.join(',')),
    dash(d.pool),
    poolWhy(d),
  ]);
}

function printPools(report: PoolsReport, all: boolean, io: Io): void {
  const shown = all ? report.devices : report.devices.filter((d) => d.deviceType !== null);
  io.stdout(`${table(['DEVICE', 'TYPE', 'ID', 'DRIVER', 'NETDEV', 'POOL', 'WHY'], poolRows(shown))}\n`);
  const hidden = report.devices.length - shown.length;
  if (hidden > 0) {
    io.stdout(
      `(${hidden} other PCI functions are neither network (0x02) nor accelerator (0x12) devices; --all lists them)\n`,
    );
  }
  io.stdout('\n');
  for (const p of report.pools) {
    const n = p.devices.length;
    const what =
      n === 0 ? 'no devices (the device plugin does not advertise an empty pool)' : `${n} device${n === 1 ? '' : 's'}`;
    io.stdout(`pool ${p.name} (${p.deviceType}): ${what}\n`);
  }
  for (const s of report.skipped)
    io.stdout(`note: resourceList[${s.index}] ${s.resourceName} is skipped: ${s.reason}\n`);
  for (const w of report.warnings) io.stdout(`warning: ${w}\n`);
  if (!report.defaultRouteChecked) {
    io.stdout(
      "note: default routes not checked (no netlink): the device plugin never offers a device whose netdev carries the host's IPv4 default route\n",
    );
  }
}

/** Which pool would take each device for a device plugin config, with the device plugin's own selection logic. */
function pools(p: Parsed, io: Io): number {
  if (!p.config) throw new UsageError('pools needs --config FILE (the device plugin config)');
  const config = readInput(p.config, io);
  let uplinks: Set<string> | null = null;
  if (p.netlink) {
    try {
      const nl = io.netlink();
      uplinks = uplinkNetdevs(nl.listLinks(), nl.listRoutes({ family: 4 }));
    } catch (e) {
      io.stderr(
        `sriovctl pools: cannot read routes over netlink (${(e as Error).message}); default routes not checked\n`,
      );
    }
  }
  const report = collectPools({
    config,
    sysfs: createSysfs({ root: p.sysfsRoot }),
    uplinks,
    ...(p.resourcePrefix ? { resourcePrefix: p.resourcePrefix } : {}),
  });
  if (p.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else printPools(report, p.all, io);
  return 0;
}

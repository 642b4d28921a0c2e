// The node's SR-IOV inventory: PFs from sysfs (through sysfs-pci, on any root), their link state and the PF-side
// VF knobs from netlink (IFLA_VFINFO_LIST through netlink-ops), and which pod holds each VF from the CNI state.
// Netlink answers are optional: a PF netdev that is not in this netns (or a lab's fake PF) shows as unknown.
import type { NetlinkOps, VfInfo } from '@sriov-ts/netlink-ops';
import type { PciDeviceInfo, Sysfs } from '@sriov-ts/sysfs-pci';
import type { VfHolder } from './cni-state.js';
import type { PciNames } from './pci-names.js';

export interface PfReport {
  address: string;
  vendor: string;
  device: string;
  vendorName: string | null;
  deviceName: string | null;
  driver: string | null;
  netdev: string | null;
  /** `operstate` from sysfs, else netlink's view; null when unknown. */
  linkState: string | null;
  mac: string | null;
  totalVfs: number;
  numVfs: number;
  numaNode: number | null;
  linkType: 'ether' | 'infiniband' | null;
}

export interface VfKnobs {
  mac: string | null;
  vlan: number | null;
  qos: number | null;
  spoofchk: boolean | null;
  trust: boolean | null;
  linkState: string | null;
  minTxRate: number | null;
  maxTxRate: number | null;
  /** InfiniBand VFs: the GUIDs the PF reports (IFLA_VF_IB_NODE_GUID / IFLA_VF_IB_PORT_GUID). */
  nodeGuid: string | null;
  portGuid: string | null;
}

export interface VfReport {
  pf: string;
  pfNetdev: string | null;
  index: number;
  address: string;
  vendor: string;
  device: string;
  driver: string | null;
  netdev: string | null;
  /** The netdev's MAC (host side); null while the VF is in a pod or has no netdev. */
  mac: string | null;
  numaNode: number | null;
  /** `/dev/vfio/N` for a vfio-pci bound VF. */
  vfioDevice: string | null;
  rdmaDevices: string[];
  /** PF-side knobs from IFLA_VFINFO_LIST; null when the PF driver does not report a VF list. */
  knobs: VfKnobs | null;
  holders: VfHolder[];
}

export interface Inventory {
  pfs: PfReport[];
  vfs: VfReport[];
  /** Why PF-side knobs are missing, per PF netdev (e.g. the driver reports no VF list). */
  notes: string[];
}

export interface InventoryOptions {
  sysfs: Sysfs;
  names: PciNames;
  /** Netlink access for link state and VF knobs; omit to read sysfs only. */
  netlink?: Pick<NetlinkOps, 'findLink'>;
  holders: Map<string, VfHolder[]>;
  /** Only this PF (PCI address or netdev name). */
  pf?: string;
}

const LINK_TYPES: Record<number, 'ether' | 'infiniband'> = { 1: 'ether', 32: 'infiniband' };

function knobsOf(vf: VfInfo): VfKnobs {
  const linkState = typeof vf.linkState === 'number' ? String(vf.linkState) : (vf.linkState ?? null);
  return {
    mac: vf.mac ?? null,
    vlan: vf.vlan ?? null,
    qos: vf.qos ?? null,
    spoofchk: vf.spoofchk ?? null,
    trust: vf.trust ?? null,
    linkState,
    minTxRate: vf.minTxRate ?? null,
    maxTxRate: vf.maxTxRate ?? vf.txRate ?? null,
    nodeGuid: vf.nodeGuid ?? null,
    portGuid: vf.portGuid ?? null,
  };
}

function readOr<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

export function collectInventory(opts: InventoryOptions): Inventory {
  const { sysfs, names } = opts;
  const devices = sysfs.scanDevices();
  const byAddress = new Map(devices.map((d) => [d.address, d]));
  const pfs: PfReport[] = [];
  const vfs: VfReport[] = [];
  const notes: string[] = [];
  const wanted = (d: PciDeviceInfo) => !opts.pf || d.address === opts.pf || d.netdevs.includes(opts.pf);

  for (const d of devices) {
    if (d.sriovTotalVfs === null || !wanted(d)) continue;
    const netdev = d.netdevs[0] ?? null;
    const link =
      netdev && opts.netlink ? readOr(() => opts.netlink!.findLink(netdev, { vfInfo: true }), undefined) : undefined;
    const operstate = netdev ? readOr(() => sysfs.netdevOperstate(netdev), null) : null;
    pfs.push({
      address: d.address,
      vendor: d.vendor,
      device: d.device,
      vendorName: names.vendor(d.vendor),
      deviceName: names.device(d.vendor, d.device),
      driver: d.driver,
      netdev,
      linkState: operstate ?? link?.operState.toLowerCase() ?? null,
      mac: (netdev && readOr(() => sysfs.netdevMacAddress(netdev), null)) ?? link?.mac ?? null,
      totalVfs: d.sriovTotalVfs,
      numVfs: d.sriovNumVfs ?? 0,
      numaNode: d.numaNode,
      linkType: d.linkType === null ? null : (LINK_TYPES[d.linkType] ?? null),
    });
    const vfInfo = new Map((link?.vfs ?? []).map((v) => [v.vf, v]));
    if (netdev && d.vfs.length > 0 && opts.netlink && vfInfo.size === 0) {
      notes.push(
        link
          ? `${netdev}: the PF driver reports no VF list (IFLA_VFINFO_LIST); VF knobs unknown`
          : `${netdev}: no such link in this network namespace; link state and VF knobs from sysfs only`,
      );
    }
    for (const ref of d.vfs) {
      const vf = byAddress.get(ref.address);
      if (!vf) continue;
      const vfNetdev = vf.netdevs[0] ?? null;
      const info = vfInfo.get(ref.index);
      vfs.push({
        pf: d.address,
        pfNetdev: netdev,
        index: ref.index,
        address: vf.address,
        vendor: vf.vendor,
        device: vf.device,
        driver: vf.driver,
        netdev: vfNetdev,
        mac: vfNetdev ? readOr(() => sysfs.netdevMacAddress(vfNetdev), null) : null,
        numaNode: vf.numaNode,
        vfioDevice: vf.vfioDevice,
        rdmaDevices: vf.rdmaDevices,
        knobs: info ? knobsOf(info) : null,
        holders: opts.holders.get(vf.address) ?? [],
      });
    }
  }
  return { pfs, vfs, notes };
}

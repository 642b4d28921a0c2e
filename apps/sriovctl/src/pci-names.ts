// Vendor and device names as lspci prints them: from the pci.ids database when the host has it (Debian package
// `pci.ids`, /usr/share/misc/pci.ids), else from a short built-in list of common SR-IOV NICs.
import { readFileSync } from 'node:fs';

const PCI_IDS_FILES = ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids'];

const BUILT_IN_VENDORS: Record<string, string> = {
  '8086': 'Intel Corporation',
  '15b3': 'Mellanox Technologies',
  '14e4': 'Broadcom Inc. and subsidiaries',
  '1077': 'QLogic Corp.',
  '19ee': 'Netronome Systems, Inc.',
  '1924': 'Solarflare Communications',
  '1d0f': 'Amazon.com, Inc.',
};

const BUILT_IN_DEVICES: Record<string, string> = {
  '8086:158b': 'Ethernet Controller XXV710 for 25GbE SFP28',
  '8086:154c': 'Ethernet Virtual Function 700 Series',
  '8086:1592': 'Ethernet Controller E810-C for QSFP',
  '8086:1889': 'Ethernet Adaptive Virtual Function',
  '15b3:1017': 'MT27800 Family [ConnectX-5]',
  '15b3:1018': 'MT27800 Family [ConnectX-5 Virtual Function]',
  '15b3:101b': 'MT28908 Family [ConnectX-6]',
  '15b3:101c': 'MT28908 Family [ConnectX-6 Virtual Function]',
  '15b3:101d': 'MT2892 Family [ConnectX-6 Dx]',
  '15b3:101e': 'ConnectX Family mlx5Gen Virtual Function',
};

export interface PciNames {
  vendor(vendor: string): string | null;
  device(vendor: string, device: string): string | null;
}

/** Looks names up lazily: the database is read on the first lookup, and only scanned for the ids asked for. */
export function pciNames(files = PCI_IDS_FILES): PciNames {
  let db: string | null | undefined;
  const load = () => {
    if (db !== undefined) return db;
    db = null;
    for (const f of files) {
      try {
        db = readFileSync(f, 'latin1');
        break;
      } catch {
        // try the next location
      }
    }
    return db;
  };
  const vendorBlock = (vendor: string): { name: string; body: string } | null => {
    const text = load();
    if (!text) return null;
    const start = text.indexOf(`\n${vendor}  `);
    if (start < 0) return null;
    const lineEnd = text.indexOf('\n', start + 1);
    const next = text.slice(lineEnd + 1).search(/^[0-9a-fA-FC]/m);
    const body = next < 0 ? text.slice(lineEnd + 1) : text.slice(lineEnd + 1, lineEnd + 1 + next);
    return { name: text.slice(start + 1 + vendor.length + 2, lineEnd).trim(), body };
  };
  return {
    vendor(vendor) {
      return vendorBlock(vendor)?.name ?? BUILT_IN_VENDORS[vendor] ?? null;
    },
    device(vendor, device) {
      const block = vendorBlock(vendor);
      const m = block && new RegExp(`^\\t${device}  (.+)$`, 'm').exec(block.body);
      return m?.[1]?.trim() ?? BUILT_IN_DEVICES[`${vendor}:${device}`] ?? null;
    },
  };
}

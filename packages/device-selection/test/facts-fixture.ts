// In-memory device facts for tests of the pure selection logic (no sysfs tree).
import type { PciFacts } from '../src/facts.js';

/** An Intel VF-like network function bound to iavf, overridden field by field. */
export function pci(overrides: Partial<PciFacts> & { address: string }): PciFacts {
  return {
    vendor: '8086',
    device: '154c',
    classBase: 0x02,
    driver: 'iavf',
    numaNode: 0,
    acpiIndex: '',
    iommuGroup: null,
    vfioNoIommu: false,
    uioDevice: null,
    sriovCapable: false,
    numVfs: 0,
    pfAddress: null,
    vfIndex: -1,
    pfNetdev: null,
    netdevs: [],
    linkType: 'ether',
    rdmaDevices: [],
    pKey: null,
    auxDevices: [],
    ...overrides,
  };
}

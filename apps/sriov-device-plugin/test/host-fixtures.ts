// In-memory host facts for tests of the core logic (pools, Allocate, servers) without a sysfs tree.
import type { HostSnapshot } from '@sriov-ts/device-selection';
import type { DeviceNodes } from '../src/allocate.js';
import type { LinkEvent, LinkSource } from '../src/health.js';
import type { HostSource } from '../src/plugin.js';
import type { PciFacts } from '../src/types.js';

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

/** A PF with `count` VFs at <bus>:02.<n>… ; VF i is bound to driverFor(i). */
export function pfWithVfs(opts: {
  bus: string;
  pfName: string;
  count: number;
  numa?: number;
  driverFor?: (i: number) => string;
}): PciFacts[] {
  const pfAddress = `0000:${opts.bus}:00.0`;
  const out: PciFacts[] = [
    pci({
      address: pfAddress,
      device: '1593',
      driver: 'ice',
      sriovCapable: true,
      numVfs: opts.count,
      netdevs: [opts.pfName],
      numaNode: opts.numa ?? 0,
    }),
  ];
  for (let i = 0; i < opts.count; i++) {
    const driver = opts.driverFor?.(i) ?? 'iavf';
    const dev = 2 + (i >> 3);
    out.push(
      pci({
        address: `0000:${opts.bus}:${dev.toString(16).padStart(2, '0')}.${i & 7}`,
        driver,
        numaNode: opts.numa ?? 0,
        pfAddress,
        vfIndex: i,
        pfNetdev: opts.pfName,
        netdevs: driver === 'iavf' ? [`${opts.pfName}v${i}`] : [],
        iommuGroup: driver === 'vfio-pci' ? 100 + i : null,
      }),
    );
  }
  return out;
}

export class FakeNodes implements DeviceNodes {
  readonly present = new Set<string>(['/dev/vhost-net', '/dev/net/tun', '/dev/infiniband/rdma_cm']);
  readonly rdma = new Map<string, string[]>();
  exists(path: string): boolean {
    return this.present.has(path);
  }
  rdmaCharDevices(dev: string): string[] {
    return this.rdma.get(dev) ?? [];
  }
}

export class FakeLinks implements LinkSource {
  state = new Map<string, boolean>();
  private listener: ((e: LinkEvent) => void) | null = null;
  async start(onEvent: (e: LinkEvent) => void) {
    this.listener = onEvent;
    return new Map(this.state);
  }
  stop() {
    this.listener = null;
  }
  emit(event: LinkEvent) {
    if (event.deleted) this.state.delete(event.name);
    else this.state.set(event.name, event.up);
    this.listener?.(event);
  }
}

export class FakeHost implements HostSource {
  /** Mutable default-route set: tests move the uplink around. */
  snapshotValue: HostSnapshot & { defaultRouteNetdevs: Set<string> };
  nodes = new FakeNodes();
  links = new FakeLinks();
  constructor(pciList: PciFacts[], defaultRoute: string[] = []) {
    this.snapshotValue = { pci: pciList, defaultRouteNetdevs: new Set(defaultRoute) };
    // Every netdev starts operationally up.
    for (const p of pciList) for (const n of p.netdevs) this.links.state.set(n, true);
  }
  async snapshot(): Promise<HostSnapshot> {
    return this.snapshotValue;
  }
  deviceExists(address: string): boolean {
    return this.snapshotValue.pci.some((p) => p.address === address);
  }
}

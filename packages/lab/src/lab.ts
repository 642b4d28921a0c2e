import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createSysfs, pciAddressPlus, type Sysfs } from '@sriov-ts/sysfs-pci';
import { LabError } from './errors.js';
import { FakeSysNamespace, type SpawnOptions, type SpawnResult } from './fake-sys-namespace.js';
import { type DriverWrite, FakeSysfsTree } from './fake-sysfs.js';
import { INTEL_XXV710, NIC_MODELS, type NicModel, VFIO_PCI } from './models.js';
import { netdevBackend, type RealLink } from './netdevs.js';
import { createRegistry, processStartTicks, writeOwner } from './registry.js';
import { sweepLabLeftovers } from './sweeper.js';

export interface LabPfSpec {
  /** A NicModel or the name of one in NIC_MODELS. Default: Intel XXV710 (i40e PF, iavf VFs). */
  model?: NicModel | string;
  /** `sriov_numvfs`: how many VFs exist. */
  vfs: number;
  /** `sriov_totalvfs` (default: the model's, at least `vfs`). */
  totalVfs?: number;
  /** NUMA node of the PF and its VFs (default: PF index modulo 2). */
  numaNode?: number;
  /** VF indexes bound to vfio-pci (DPDK): no netdev, a `/dev/vfio/<group>` stand-in. */
  dpdkVfs?: readonly number[];
  /** Scalable functions (auxiliary devices `<driver>.sf.N` with a netdev and, for mlx5, an RDMA device). */
  subfunctions?: number;
}

export interface LabSf {
  pfIndex: number;
  index: number;
  /** Auxiliary device name, e.g. `mlx5_core.sf.2`. */
  name: string;
  sfnum: number;
  netdev: string;
  rdmaDevice: string | null;
  mac: string;
}

export interface LabSpec {
  pfs: readonly LabPfSpec[];
  /**
   * Create real netdevs (needs root): a bridge, one veth per PF whose peer is on the bridge, and one macvlan
   * (bridge mode, on the PF) per netdev-mode VF, named as the fake sysfs says. Default true. With false only the
   * fake tree is built (unit tests without root).
   */
  realNetdevs?: boolean;
  /** Directory for pod network namespaces (default /var/run/netns, made a shared mount by netlink-ops). */
  netnsDir?: string;
  /** Run sweepLabLeftovers() first (default true with real netdevs). */
  sweepLeftovers?: boolean;
}

export interface LabVf {
  pfIndex: number;
  index: number;
  address: string;
  /** Netdev name (null for a DPDK VF). */
  netdev: string | null;
  driver: string;
  iommuGroup: string;
  /** `/dev/vfio/<group>` for a DPDK VF. */
  vfioDevice: string | null;
  rdmaDevice: string | null;
  /** MAC of the netdev (the real link's when realNetdevs). */
  mac: string | null;
}

export interface LabPf {
  index: number;
  address: string;
  model: NicModel;
  netdev: string;
  driver: string;
  numaNode: number;
  iommuGroup: string;
  rdmaDevice: string | null;
  mac: string;
  /** The root port the PF sits behind. */
  bridgeAddress: string;
  vfs: LabVf[];
  subfunctions: LabSf[];
}

export interface Lab {
  /** 4 base-36 characters, unique among live labs. */
  readonly id: string;
  /** `xl<id>`: every link and netns of this lab starts with it. */
  readonly prefix: string;
  /** Registry directory (removed by destroy). */
  readonly dir: string;
  /** Fake root: `<root>/sys/...`, `<root>/dev/...`. Use `createSysfs({ root: lab.root })`. */
  readonly root: string;
  readonly tree: FakeSysfsTree;
  /** A sysfs-pci reader on the fake root. */
  readonly sysfs: Sysfs;
  /** The lab bridge (the "external switch"), null without real netdevs. */
  readonly bridge: string | null;
  readonly pfs: readonly LabPf[];
  readonly netnsDir: string;
  vf(pfIndex: number, vfIndex: number): LabVf;
  /** `<prefix><suffix>`, checked to fit IFNAMSIZ. */
  name(suffix: string): string;
  /** Creates a network namespace `<prefix><suffix>` (default `pod<n>`) and returns its path. */
  createPodNetns(suffix?: string): string;
  /** Deletes a pod netns (by path or suffix); succeeds when already gone. */
  deletePodNetns(pathOrSuffix: string): void;
  /** Runs an unmodified binary with the fake tree mounted over /sys/bus/pci, /sys/devices/<root>, /sys/class, ... */
  spawnInFakeSys(command: string, args?: readonly string[], options?: SpawnOptions): Promise<SpawnResult>;
  /** The argv (`nsenter -t <holder> -m --wd=<cwd> -- command args`) for callers that spawn themselves. */
  fakeSysArgv(command: string, args?: readonly string[], cwd?: string): Promise<{ command: string; args: string[] }>;
  /** Moves a device to a driver in the fake tree (null unbinds), netdev entries and /dev/vfio stand-in included. */
  bindDevice(address: string, driver: string | null): void;
  /** Applies the addresses written to the fake drivers' unbind/bind files since the last call (see README). */
  settleDriverWrites(): DriverWrite[];
  /** Removes everything the lab created. Idempotent; keeps going past failures and reports them all. */
  destroy(): Promise<void>;
}

const FIRST_PF_BUS = 0x3b;
const PF_BUS_SPACING = 4;
const FIRST_IOMMU_GROUP = 20;

function modelOf(spec: LabPfSpec): NicModel {
  if (spec.model === undefined) return INTEL_XXV710;
  if (typeof spec.model !== 'string') return spec.model;
  const model = NIC_MODELS[spec.model];
  if (model === undefined) throw new LabError(`lab: unknown NIC model ${JSON.stringify(spec.model)}`);
  return model;
}

function validateSpec(spec: LabSpec): void {
  if (spec.pfs.length === 0 || spec.pfs.length > 28) throw new LabError('lab: between 1 and 28 PFs');
  for (const [i, pf] of spec.pfs.entries()) {
    const model = modelOf(pf);
    const total = pf.totalVfs ?? Math.max(model.totalVfs, pf.vfs);
    if (!Number.isInteger(pf.vfs) || pf.vfs < 0 || pf.vfs > total || pf.vfs > 999) {
      throw new LabError(`lab: PF ${i}: vfs must be an integer 0..${Math.min(total, 999)}`);
    }
    const sfs = pf.subfunctions ?? 0;
    if (!Number.isInteger(sfs) || sfs < 0 || sfs > 99 || (sfs > 0 && model.subfunctions !== true)) {
      throw new LabError(`lab: PF ${i}: subfunctions must be 0..99, and the model ${model.name} must support them`);
    }
    for (const v of pf.dpdkVfs ?? []) {
      if (!Number.isInteger(v) || v < 0 || v >= pf.vfs)
        throw new LabError(`lab: PF ${i}: no VF ${v} to bind to vfio-pci`);
    }
  }
}

/** Deterministic locally administered MAC for links that exist only in the fake tree. */
function fakeMac(pf: number, vf: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `02:1a:b0:${hex(pf)}:${hex((vf + 1) >> 8)}:${hex((vf + 1) & 0xff)}`;
}

/** 16 hex digits, unique per PF/VF of a lab (fake: the kernel here has no InfiniBand). */
function guid(pf: number, vf: number): string {
  return `b8cef603${pf.toString(16).padStart(2, '0')}${(vf + 1).toString(16).padStart(6, '0')}`;
}

/** IPoIB hardware address: 4 bytes QPN/flags + 8 bytes subnet prefix + 8 bytes port GUID. */
function ipoibAddress(guid: string): string {
  return `00:00:10:87:fe:80:00:00:00:00:00:00:${guid.replace(/(..)(?!$)/g, '$1:')}`;
}

export async function createLab(spec: LabSpec): Promise<Lab> {
  validateSpec(spec);
  const realNetdevs = spec.realNetdevs ?? true;
  if (realNetdevs && (spec.sweepLeftovers ?? true)) {
    // Self-healing: leftovers of crashed runs go before this lab adds its own. Live labs are never touched, and a
    // failed sweep must not fail the caller's lab.
    await sweepLabLeftovers({ netnsDirs: spec.netnsDir === undefined ? [] : [spec.netnsDir] }).catch(() => undefined);
  }
  const registry = createRegistry();
  const { id, prefix, dir } = registry;
  const netnsDir = spec.netnsDir ?? '/var/run/netns';
  const owner = {
    pid: process.pid,
    pidStartTicks: processStartTicks(process.pid),
    createdAt: new Date().toISOString(),
    prefix,
    netns: [] as string[],
    holderPid: null as number | null,
  };
  try {
    writeOwner(dir, owner);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new LabError(`lab ${prefix}: cannot write ${dir}/owner.json: ${String(error)}`, { cause: error });
  }

  const name = (suffix: string) => {
    const full = `${prefix}${suffix}`;
    if (full.length > 15 || !/^[0-9a-zA-Z_.-]+$/.test(suffix)) {
      throw new LabError(`lab: interface/netns name ${JSON.stringify(full)} is not valid or longer than 15 characters`);
    }
    return full;
  };

  const backend = realNetdevs ? await netdevBackend() : null;
  const createdLinks: string[] = [];
  const podNetns = new Set<string>();
  let namespaceStarting: Promise<FakeSysNamespace> | null = null;
  let destroyed = false;

  async function destroy(): Promise<void> {
    if (destroyed) return;
    destroyed = true;
    const errors: unknown[] = [];
    const attempt = async (step: () => unknown) => {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    };
    if (namespaceStarting !== null) {
      await attempt(async () => {
        const started = await namespaceStarting!.catch(() => null);
        await started?.stop();
      });
    }
    for (const path of podNetns) await attempt(() => backend?.deleteNetns(path));
    // Macvlans go with their PF veth; delete children first anyway so each delete is explicit.
    for (const link of [...createdLinks].reverse()) await attempt(() => backend?.deleteLink(link));
    await attempt(() => rmSync(dir, { recursive: true, force: true }));
    if (errors.length > 0) {
      throw new LabError(`lab ${prefix}: ${errors.length} tear-down step(s) failed: ${errors.map(String).join('; ')}`, {
        errors,
      });
    }
  }

  try {
    const root = join(dir, 'root');
    const tree = new FakeSysfsTree(root);
    const bridge = realNetdevs ? name('br') : null;
    if (backend !== null && bridge !== null) {
      createdLinks.push(bridge);
      backend.createBridge(bridge);
      backend.setLinkUp(bridge);
    }

    let nextGroup = FIRST_IOMMU_GROUP;
    let nextRdma = 0;
    let nextAuxId = 2; // mlx5 numbers its own eth/rdma aux devices from 0; SFs follow.
    const pfs: LabPf[] = [];
    for (const [pfIndex, pfSpec] of spec.pfs.entries()) {
      const model = modelOf(pfSpec);
      const numaNode = pfSpec.numaNode ?? pfIndex % 2;
      const bus = FIRST_PF_BUS + PF_BUS_SPACING * pfIndex;
      const bridgeAddress = `0000:00:${(2 + pfIndex).toString(16).padStart(2, '0')}.0`;
      const pfAddress = `0000:${bus.toString(16).padStart(2, '0')}:00.0`;
      const bridgeDir = tree.addFunction({
        address: bridgeAddress,
        parentDir: tree.pciRootDir,
        vendor: '8086',
        device: '2030',
        classCode: '060400',
        driver: 'pcieport',
        numaNode,
        iommuGroup: nextGroup++,
      });

      // Real links first: the fake tree records their MACs and ifindexes.
      const pfNetdev = name(`p${pfIndex}`);
      let pfLink: RealLink | null = null;
      if (backend !== null && bridge !== null) {
        const peer = name(`p${pfIndex}x`);
        createdLinks.push(pfNetdev);
        backend.createVeth(pfNetdev, peer);
        backend.setLinkMaster(peer, bridge);
        backend.setLinkUp(peer);
        backend.setLinkUp(pfNetdev);
        pfLink = backend.getLink(pfNetdev);
      }

      const pfGroup = nextGroup++;
      tree.addFunction({
        address: pfAddress,
        parentDir: bridgeDir,
        vendor: model.vendor,
        device: model.pfDevice,
        classCode: model.classCode,
        driver: model.pfDriver,
        numaNode,
        iommuGroup: pfGroup,
      });
      const totalVfs = pfSpec.totalVfs ?? Math.max(model.totalVfs, pfSpec.vfs);
      tree.makeSriovPf(pfAddress, {
        totalVfs,
        numVfs: pfSpec.vfs,
        offset: model.vfOffset,
        stride: model.vfStride,
        vfDevice: model.vfDevice,
      });
      const pfRdma = model.rdma ? `mlx5_${nextRdma}` : null;
      const pfGuid = guid(pfIndex, -1);
      const pfMac = pfLink?.mac ?? fakeMac(pfIndex, -1);
      tree.addNetdev(pfAddress, pfNetdev, {
        type: model.linkType,
        mac: model.linkType === 32 ? ipoibAddress(pfGuid) : pfMac,
        ifindex: pfLink?.index ?? 0,
        operstate: 'up',
      });
      if (pfRdma !== null) {
        tree.addRdmaDevice(pfAddress, pfRdma, {
          linkLayer: model.linkType === 32 ? 'InfiniBand' : 'Ethernet',
          uverbs: nextRdma,
          nodeGuid: pfGuid.replace(/(....)(?!$)/g, '$1:'),
        });
        nextRdma++;
      }
      if (model.name === 'mlx5-cx5-eth')
        tree.file(join(tree.deviceDir(pfAddress), 'net', pfNetdev, 'phys_port_name'), `p0\n`);

      const dpdk = new Set(pfSpec.dpdkVfs ?? []);
      const vfs: LabVf[] = [];
      for (let vfIndex = 0; vfIndex < pfSpec.vfs; vfIndex++) {
        const address = pciAddressPlus(pfAddress, model.vfOffset + vfIndex * model.vfStride);
        const group = nextGroup++;
        const isDpdk = dpdk.has(vfIndex);
        const netdev = isDpdk ? null : name(`p${pfIndex}v${vfIndex}`);
        let link: RealLink | null = null;
        if (backend !== null && netdev !== null) {
          createdLinks.push(netdev);
          backend.createMacvlan(netdev, pfNetdev);
          link = backend.getLink(netdev);
        }
        tree.addFunction({
          address,
          parentDir: bridgeDir,
          vendor: model.vendor,
          device: model.vfDevice,
          classCode: model.classCode,
          driver: null,
          numaNode,
          iommuGroup: group,
        });
        tree.linkVf(pfAddress, address, vfIndex);
        const vfGuid = guid(pfIndex, vfIndex);
        const mac = netdev === null ? null : (link?.mac ?? fakeMac(pfIndex, vfIndex));
        let rdmaDevice: string | null = null;
        if (netdev !== null) {
          tree.addNetdev(address, netdev, {
            type: model.linkType,
            mac: model.linkType === 32 ? ipoibAddress(vfGuid) : mac!,
            ifindex: link?.index ?? 0,
            operstate: link?.operstate ?? 'down',
          });
          if (model.rdma) {
            rdmaDevice = `mlx5_${nextRdma}`;
            tree.addRdmaDevice(address, rdmaDevice, {
              linkLayer: model.linkType === 32 ? 'InfiniBand' : 'Ethernet',
              uverbs: nextRdma,
              nodeGuid: vfGuid.replace(/(....)(?!$)/g, '$1:'),
            });
            nextRdma++;
          }
        }
        const driver = isDpdk ? VFIO_PCI : model.vfDriver;
        tree.bind(address, driver);
        vfs.push({
          pfIndex,
          index: vfIndex,
          address,
          netdev,
          driver,
          iommuGroup: String(group),
          vfioDevice: isDpdk ? `/dev/vfio/${group}` : null,
          rdmaDevice,
          mac,
        });
      }
      const subfunctions: LabSf[] = [];
      for (let sfIndex = 0; sfIndex < (pfSpec.subfunctions ?? 0); sfIndex++) {
        const auxName = `${model.pfDriver}.sf.${nextAuxId++}`;
        const netdev = name(`p${pfIndex}s${sfIndex}`);
        let link: RealLink | null = null;
        if (backend !== null) {
          createdLinks.push(netdev);
          backend.createMacvlan(netdev, pfNetdev);
          link = backend.getLink(netdev);
        }
        const sfnum = 88 + sfIndex;
        tree.addAuxiliaryDevice(pfAddress, auxName, { sfnum, driver: `${model.pfDriver}.sf` });
        const mac = link?.mac ?? fakeMac(pfIndex, 0x800 + sfIndex);
        tree.addNetdev(auxName, netdev, {
          type: model.linkType,
          mac,
          ifindex: link?.index ?? 0,
          operstate: link?.operstate ?? 'down',
        });
        let rdmaDevice: string | null = null;
        if (model.rdma) {
          rdmaDevice = `mlx5_${nextRdma}`;
          tree.addRdmaDevice(auxName, rdmaDevice, {
            linkLayer: model.linkType === 32 ? 'InfiniBand' : 'Ethernet',
            uverbs: nextRdma,
            nodeGuid: guid(pfIndex, 0x8000 + sfIndex).replace(/(....)(?!$)/g, '$1:'),
          });
          nextRdma++;
        }
        subfunctions.push({ pfIndex, index: sfIndex, name: auxName, sfnum, netdev, rdmaDevice, mac });
      }
      pfs.push({
        subfunctions,
        index: pfIndex,
        address: pfAddress,
        model,
        netdev: pfNetdev,
        driver: model.pfDriver,
        numaNode,
        iommuGroup: String(pfGroup),
        rdmaDevice: pfRdma,
        mac: pfMac,
        bridgeAddress,
        vfs,
      });
    }
    tree.addDriver(VFIO_PCI);

    let podCounter = 0;
    const podPath = (pathOrSuffix: string) =>
      pathOrSuffix.startsWith('/') ? pathOrSuffix : join(netnsDir, name(pathOrSuffix));

    const startNamespace = () => {
      if (destroyed) return Promise.reject(new LabError(`lab ${prefix} is destroyed`));
      if (namespaceStarting === null) {
        namespaceStarting = (async () => {
          // Make sure the netns directory is a shared mount before the namespace copies the mount tree, so pods
          // created later propagate into it (netlink-ops makes the directory shared on the first createNetns).
          if (backend !== null) {
            const anchor = backend.createNetns(name('anchor'), netnsDir);
            backend.deleteNetns(anchor);
          }
          const started = await FakeSysNamespace.start(root, tree.pciRootName, join(dir, 'dev-stage'));
          owner.holderPid = started.holderPid;
          writeOwner(dir, owner);
          return started;
        })();
      }
      return namespaceStarting;
    };

    const lab: Lab = {
      id,
      prefix,
      dir,
      root,
      tree,
      sysfs: createSysfs({ root }),
      bridge,
      pfs,
      netnsDir,
      vf(pfIndex, vfIndex) {
        const vf = pfs[pfIndex]?.vfs[vfIndex];
        if (vf === undefined) throw new LabError(`lab ${prefix}: no VF ${vfIndex} on PF ${pfIndex}`);
        return vf;
      },
      name,
      createPodNetns(suffix) {
        if (backend === null) throw new LabError('lab: pod namespaces need realNetdevs');
        const path = backend.createNetns(name(suffix ?? `pod${podCounter++}`), netnsDir);
        podNetns.add(path);
        owner.netns = [...podNetns];
        writeOwner(dir, owner);
        return path;
      },
      deletePodNetns(pathOrSuffix) {
        if (backend === null) return;
        const path = podPath(pathOrSuffix);
        backend.deleteNetns(path);
        podNetns.delete(path);
      },
      async spawnInFakeSys(command, args = [], options = {}) {
        const started = await startNamespace();
        return started.spawn(command, args, options);
      },
      async fakeSysArgv(command, args = [], cwd) {
        const started = await startNamespace();
        return started.argv(command, args, cwd);
      },
      bindDevice(address, driver) {
        tree.bind(address, driver);
      },
      settleDriverWrites: () => tree.settleDriverWrites(),
      destroy,
    };
    return lab;
  } catch (error) {
    // Nothing half-done: undo every step that ran, then report the original failure with the lab's prefix.
    const cleanup = await destroy().then(
      () => '',
      (e: unknown) => `; clean-up also failed: ${String(e)}`,
    );
    const message = error instanceof Error ? error.message : String(error);
    throw new LabError(`lab ${prefix}: set-up failed: ${message}${cleanup}`, { cause: error });
  }
}

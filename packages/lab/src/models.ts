/** What a simulated SR-IOV NIC model looks like in sysfs. */
export interface NicModel {
  /** Short name used in specs. */
  name: string;
  vendor: string;
  pfDevice: string;
  vfDevice: string;
  pfDriver: string;
  vfDriver: string;
  /** 6 hex digits: 020000 Ethernet controller, 020700 InfiniBand controller. */
  classCode: string;
  /** What `net/<if>/type` says: 1 (ARPHRD_ETHER) or 32 (ARPHRD_INFINIBAND). */
  linkType: 1 | 32;
  /** Whether PF and VFs get `infiniband/<mlx5_N>` RDMA devices. */
  rdma: boolean;
  /** `sriov_totalvfs` unless the spec overrides it. */
  totalVfs: number;
  /** SR-IOV First VF Offset and VF Stride (routing IDs), as in `sriov_offset` / `sriov_stride`. */
  vfOffset: number;
  vfStride: number;
  /** Whether the PF can have scalable functions (auxiliary devices `<pfDriver>.sf.N`). */
  subfunctions?: boolean;
}

/** Intel XXV710 (i40e) with Adaptive Virtual Function VFs (iavf). */
export const INTEL_XXV710: NicModel = {
  name: 'intel-xxv710',
  vendor: '8086',
  pfDevice: '158b',
  vfDevice: '154c',
  pfDriver: 'i40e',
  vfDriver: 'iavf',
  classCode: '020000',
  linkType: 1,
  rdma: false,
  totalVfs: 64,
  vfOffset: 16,
  vfStride: 1,
};

/** Mellanox ConnectX-5 Ethernet (mlx5_core PF and VFs, RoCE RDMA devices). */
export const MLX5_CX5_ETH: NicModel = {
  name: 'mlx5-cx5-eth',
  vendor: '15b3',
  pfDevice: '1017',
  vfDevice: '1018',
  pfDriver: 'mlx5_core',
  vfDriver: 'mlx5_core',
  classCode: '020000',
  linkType: 1,
  rdma: true,
  totalVfs: 16,
  vfOffset: 2,
  vfStride: 1,
  subfunctions: true,
};

/** Mellanox ConnectX-6 InfiniBand (mlx5_core, IPoIB netdevs of type 32, RDMA devices). */
export const MLX5_CX6_IB: NicModel = {
  name: 'mlx5-cx6-ib',
  vendor: '15b3',
  pfDevice: '101b',
  vfDevice: '101c',
  pfDriver: 'mlx5_core',
  vfDriver: 'mlx5_core',
  classCode: '020700',
  linkType: 32,
  rdma: true,
  totalVfs: 16,
  vfOffset: 2,
  vfStride: 1,
  subfunctions: true,
};

export const NIC_MODELS: Readonly<Record<string, NicModel>> = {
  [INTEL_XXV710.name]: INTEL_XXV710,
  [MLX5_CX5_ETH.name]: MLX5_CX5_ETH,
  [MLX5_CX6_IB.name]: MLX5_CX6_IB,
};

/** The driver the lab uses for DPDK VFs. */
export const VFIO_PCI = 'vfio-pci';

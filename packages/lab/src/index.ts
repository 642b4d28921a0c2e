export { LabError } from './errors.js';
export type { SpawnOptions, SpawnResult } from './fake-sys-namespace.js';
export type { DriverWrite, FakeSysfsTree } from './fake-sysfs.js';
export { createLab, type Lab, type LabPf, type LabPfSpec, type LabSf, type LabSpec, type LabVf } from './lab.js';
export { INTEL_XXV710, MLX5_CX5_ETH, MLX5_CX6_IB, NIC_MODELS, type NicModel, VFIO_PCI } from './models.js';
export { type SweepOptions, type SweepReport, sweepLabLeftovers } from './sweeper.js';

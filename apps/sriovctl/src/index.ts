// Library surface of sriovctl, for tests and embedding (the product is the `sriovctl` executable).
export { DEFAULT_STATE_DIR, readVfHolders, type VfHolder } from './cni-state.js';
export { collectInventory, type Inventory, type PfReport, type VfKnobs, type VfReport } from './inventory.js';
export { LINT_KINDS, type LintFinding, LintInputError, type LintKind, lint } from './lint.js';
export { type Io, type NodeNetlink, parseArgs, run, USAGE, UsageError, VERSION } from './main.js';
export { type PciNames, pciNames } from './pci-names.js';
export { collectPools, PoolConfigError, type PoolDeviceReport, type PoolsReport } from './pools.js';

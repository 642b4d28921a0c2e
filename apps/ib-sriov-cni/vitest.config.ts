import { workspaceProject } from '../../vitest.shared.js';

export default workspaceProject('ib-sriov-cni', { testTimeout: 120_000 });

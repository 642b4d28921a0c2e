import { workspaceProject } from '../../vitest.shared.js';

export default workspaceProject('sriov-cni', { testTimeout: 120_000 });

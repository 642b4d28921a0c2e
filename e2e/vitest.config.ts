import { workspaceProject } from '../vitest.shared.js';

export default workspaceProject('e2e', { testTimeout: 120_000 });

import { workspaceProject } from '../../vitest.shared.js';

export default workspaceProject('sriovctl', { testTimeout: 60_000 });

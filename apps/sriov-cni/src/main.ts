// The `sriov` executable. Nothing else runs at import time.
import { ALL_VERSIONS, pluginMain } from '@sriov-ts/cni';
import { sriovHandlers } from './handlers.js';

void pluginMain(sriovHandlers(), { versions: ALL_VERSIONS, cniName: 'sriov-cni' });

// The `ib-sriov` executable's main module (single executables start here). Nothing else runs at import time.
import { ALL_VERSIONS, pluginMain } from '@sriov-ts/cni';
import { ibSriovHandlers } from './handlers.js';

void pluginMain(ibSriovHandlers(), { versions: ALL_VERSIONS, cniName: 'ib-sriov-cni' });

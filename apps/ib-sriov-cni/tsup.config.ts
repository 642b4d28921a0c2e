// dist/ib-sriov.mjs: one minified ESM file plus the netlink addon beside it (the preset shared by the CNI plugin apps).
import { cniPluginBundle } from '@sriov-ts/bundle';
import { defineConfig } from 'tsup';

export default defineConfig(cniPluginBundle({ exe: 'ib-sriov' }));

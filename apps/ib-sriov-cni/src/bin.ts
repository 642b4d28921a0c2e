// Entry of the bundle dist/ib-sriov.mjs: the build copies netlink-ops' native addon beside the bundle, and this
// points netlink-ops at it (a fixed path next to this file, never from the environment: the plugin runs as root).
// Lazy: the addon is loaded on the first netlink call, not here.
import { fileURLToPath } from 'node:url';
import { setNativeAddonPath } from '@sriov-ts/netlink-ops';

setNativeAddonPath(() => fileURLToPath(new URL('./netlink_ops.node', import.meta.url)));
await import('./main.js');

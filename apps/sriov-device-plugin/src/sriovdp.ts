#!/usr/bin/env node
// The `sriovdp` executable (the bundle's entry point).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setNativeAddonPath } from '@sriov-ts/netlink-ops';
import { main } from './main.js';

// The build ships the netlink-ops addon beside the bundle (dist/netlink_ops.node). The path is fixed relative to
// this file, never taken from the environment (root process).
const addon = fileURLToPath(new URL('./netlink_ops.node', import.meta.url));
if (existsSync(addon)) setNativeAddonPath(addon);

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'fatal', err: String(err) })}\n`,
    );
    process.exit(1);
  },
);

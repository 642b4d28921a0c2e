// The `sriovctl` executable (the bundle's entry point).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createNetlinkOps, setNativeAddonPath } from '@sriov-ts/netlink-ops';
import { run } from './main.js';

// The build ships the netlink-ops addon beside the bundle; the path is fixed relative to this file.
const addon = fileURLToPath(new URL('./netlink_ops.node', import.meta.url));
if (existsSync(addon)) setNativeAddonPath(addon);

process.exitCode = run(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin: () => readFileSync(0, 'utf8'),
  netlink: () => createNetlinkOps(),
});

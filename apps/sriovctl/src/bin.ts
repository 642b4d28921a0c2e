// The `sriovctl` executable (the bundle's entry point). The build ships the netlink-ops addon beside the bundle
// (dist/netlink_ops.node), where netlink-ops looks first.
import { readFileSync } from 'node:fs';
import { createNetlinkOps } from '@sriov-ts/netlink-ops';
import { run } from './main.js';

process.exitCode = run(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin: () => readFileSync(0, 'utf8'),
  netlink: () => createNetlinkOps(),
});

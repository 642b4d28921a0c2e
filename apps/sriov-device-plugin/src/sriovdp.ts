#!/usr/bin/env node
// The `sriovdp` executable (the bundle's entry point). The build ships the netlink-ops addon beside the bundle
// (dist/netlink_ops.node), where netlink-ops looks first.
import { holdStopSignals } from './early-signals.js';

// Before anything heavy loads: a SIGTERM during start-up must still end in a graceful stop.
holdStopSignals();

import('./main.js').then(({ main }) =>
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(
        `${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'fatal', err: String(err) })}\n`,
      );
      process.exit(1);
    },
  ),
);

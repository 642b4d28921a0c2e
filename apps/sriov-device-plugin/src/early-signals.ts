// A stop signal that arrives while the bundle is still loading (kubelet or a test stopping a pod right after it
// started) would kill the process by the default action, skipping the graceful stop that removes sockets and
// device-info files. The entry holds such signals from its first statement; main() replays them once its own
// handlers are in place.
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;
const held: NodeJS.Signals[] = [];
const hold = (signal: NodeJS.Signals) => held.push(signal);

export function holdStopSignals(): void {
  for (const signal of STOP_SIGNALS) process.on(signal, hold);
}

/** Stops holding; returns the signals that arrived meanwhile, oldest first. */
export function releaseStopSignals(): NodeJS.Signals[] {
  for (const signal of STOP_SIGNALS) process.off(signal, hold);
  return held.splice(0);
}

export { errnoName, SyscallError } from './errors.js';
export { tryFlock, unflock } from './flock.js';
export { createNetns, DEFAULT_NETNS_DIR, deleteNetns, type NetnsDirOptions } from './netns.js';
export type { SyscallLayer } from './syscalls.js';
export { InvalidArgumentError } from './validate.js';

// The native layer itself: timed recv that survives signals, socket basics, typed errors.
import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NETLINK_ROUTE } from './constants.js';
import { SyscallError } from './errors.js';
import { syscalls } from './syscalls.js';

describe('native syscall layer', () => {
  it('opens a netlink socket with a kernel-assigned port id and closes it', () => {
    const sys = syscalls();
    const fd = sys.openNetlink(NETLINK_ROUTE, 0, null);
    try {
      expect(fd).toBeGreaterThan(2);
      expect(sys.portId(fd)).toBeGreaterThan(0);
      expect(sys.recv(fd, 0)).toBeUndefined(); // nothing queued: a zero timeout polls once
    } finally {
      sys.close(fd);
    }
    expect(() => sys.portId(fd)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('a timed recv is not cut short by a signal (EINTR is retried with the remaining time)', async () => {
    const sys = syscalls();
    const fd = sys.openNetlink(NETLINK_ROUTE, 0, null);
    let signals = 0;
    const onSignal = () => signals++;
    process.on('SIGUSR2', onSignal);
    try {
      // A child signals this process 3 times while the main thread is blocked in recv(1500 ms).
      const child = spawn('sh', ['-c', `for i in 1 2 3; do sleep 0.2; kill -USR2 ${process.pid}; done`], {
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      const start = Date.now();
      const result = sys.recv(fd, 1500);
      const elapsed = Date.now() - start;
      expect(result).toBeUndefined(); // timed out normally, did not throw EINTR
      expect(elapsed).toBeGreaterThanOrEqual(1400); // and did not return early after the first signal
      await exited;
      await new Promise((resolve) => setImmediate(resolve));
      expect(signals).toBe(3); // the signals really arrived during the call
    } finally {
      process.off('SIGUSR2', onSignal);
      sys.close(fd);
    }
  });

  it('reports failures as SyscallError with errno, code and the path', () => {
    try {
      syscalls().openNetlink(NETLINK_ROUTE, 0, '/nonexistent/netns');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SyscallError);
      expect(e).toMatchObject({ errno: 2, code: 'ENOENT', syscall: 'open netns', path: '/nonexistent/netns' });
    }
  });

  it('rejects wrong argument types from JavaScript', () => {
    const sys = syscalls() as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => sys.openNetlink!('0', 0, null)).toThrow(TypeError);
    expect(() => sys.recv!(0, -1)).toThrow(TypeError);
    expect(() => sys.send!(0, 'text')).toThrow(TypeError);
    expect(() => sys.flock!(0, 7)).toThrow(TypeError);
    expect(() => sys.openNetlink!(0, 0, 'a\0b')).toThrow(TypeError);
  });
});

describe('native syscall layer: edge cases', () => {
  it('refuses a path that is not a network namespace (setns EINVAL) and leaves the thread where it was', () => {
    const sys = syscalls();
    const before = readlinkSync('/proc/thread-self/ns/net');
    expect(() => sys.openNetlink(NETLINK_ROUTE, 0, '/proc/self/ns/uts')).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'setns' }),
    );
    expect(() => sys.openNetlink(NETLINK_ROUTE, 0, '/etc/hostname')).toThrow(
      expect.objectContaining({ code: 'EINVAL' }),
    );
    expect(readlinkSync('/proc/thread-self/ns/net')).toBe(before);
  });
});

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, uniquePrefix } from '../test/helpers.js';
import {
  createVeth,
  getLink,
  InvalidArgumentError,
  readSysctl,
  SyscallError,
  sendFrame,
  setLinkUp,
  writeSysctl,
} from './index.js';
import { syscalls } from './syscalls.js';

const reason = missingPrerequisites('netlink-ops sysctl and frames', [isRoot(), executable('ip')]);

describe.skipIf(reason !== null)('sysctls and raw frames inside a netns', () => {
  const box = new Sandbox(uniquePrefix('sf'));
  let ns: { name: string; path: string };
  let a: string;
  let b: string;
  afterAll(() => box.cleanup());
  beforeAll(() => {
    ns = box.newNetns();
    a = box.name('a');
    b = box.name('b');
    createVeth(a, b, { netns: ns.path, mac: '02:00:00:00:0a:01' });
    setLinkUp(a, { netns: ns.path });
    setLinkUp(b, { netns: ns.path });
  });

  const readInside = (path: string) =>
    execFileSync('ip', ['netns', 'exec', ns.name, 'cat', path], { encoding: 'utf8' }).trim();

  it('writes a per-netns sysctl for a device that exists only inside', () => {
    const path = `/proc/sys/net/ipv6/conf/${a}/disable_ipv6`;
    writeSysctl(path, 1, { netns: ns.path });
    expect(readInside(path)).toBe('1');
    writeSysctl(path, '0', { netns: ns.path });
    expect(readInside(path)).toBe('0');
    // the host has no such device, so the same path fails outside
    expect(() => writeSysctl(path, 1)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('accepts only /proc/sys/net paths', () => {
    expect(() => writeSysctl('/proc/sys/kernel/hostname', 'x', { netns: ns.path })).toThrow(InvalidArgumentError);
    expect(() => writeSysctl('/proc/sys/net/../kernel/hostname', 'x')).toThrow(InvalidArgumentError);
    expect(() => writeSysctl('/proc/sys/net/ipv4//ip_forward', '1')).toThrow(InvalidArgumentError);
    expect(() => writeSysctl('/etc/passwd', 'x')).toThrow(InvalidArgumentError);
  });

  it('reads a per-netns sysctl back, independent of the host value', () => {
    // net.ipv4.ip_forward is per netns: a new netns starts at 0 whatever the host has.
    const path = '/proc/sys/net/ipv4/ip_forward';
    const host = readSysctl(path);
    expect(host).toBe(execFileSync('cat', [path], { encoding: 'utf8' }).trim());
    const other = host === '1' ? '0' : '1';
    writeSysctl(path, other, { netns: ns.path });
    try {
      expect(readSysctl(path, { netns: ns.path })).toBe(other);
      expect(readInside(path)).toBe(other);
      // the host's value is untouched and reads differently
      expect(readSysctl(path)).toBe(host);
    } finally {
      writeSysctl(path, '0', { netns: ns.path });
    }
    const v6 = `/proc/sys/net/ipv6/conf/${a}/disable_ipv6`;
    writeSysctl(v6, 1, { netns: ns.path });
    expect(readSysctl(v6, { netns: ns.path })).toBe('1');
    writeSysctl(v6, 0, { netns: ns.path });
    expect(readSysctl(v6, { netns: ns.path })).toBe('0');
  });

  it('reads only /proc/sys/net paths', () => {
    expect(() => readSysctl('/proc/sys/kernel/hostname', { netns: ns.path })).toThrow(InvalidArgumentError);
    expect(() => readSysctl('/proc/sys/net/../kernel/hostname')).toThrow(InvalidArgumentError);
    expect(() => readSysctl('/proc/sys/net/ipv4//ip_forward')).toThrow(InvalidArgumentError);
    expect(() => readSysctl('/etc/shadow')).toThrow(InvalidArgumentError);
    expect(() => readSysctl('/proc/sys/net/ipv4/ip_forward', { netns: 'relative/ns' })).toThrow(InvalidArgumentError);
  });

  it('reports a missing sysctl file as a SyscallError with ENOENT', () => {
    // the device exists only inside the netns, so the host has no such file
    const path = `/proc/sys/net/ipv6/conf/${a}/disable_ipv6`;
    let caught: unknown;
    try {
      readSysctl(path);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SyscallError);
    expect(caught).toMatchObject({ code: 'ENOENT', syscall: 'open', path });
    expect(() => readSysctl('/proc/sys/net/ipv4/conf/nope0/forwarding', { netns: ns.path })).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });

  function capture(link: string, ethertype: number, frame: Buffer, send: () => void): Buffer | undefined {
    const sys = syscalls();
    const fd = sys.openPacket(ns.path, getLink(link, { netns: ns.path }).index, ethertype);
    try {
      send();
      // Skip unrelated traffic (IPv6 router solicitations, DAD) until our frame arrives or 3 s pass.
      const deadline = Date.now() + 3000;
      for (;;) {
        const got = sys.recv(fd, Math.max(0, deadline - Date.now()));
        if (!got || got.equals(frame)) return got;
      }
    } finally {
      sys.close(fd);
    }
  }

  // A gratuitous ARP for 10.40.0.7 from 02:00:00:00:0a:01. The frame builders live in ipam-client (announce);
  // here any well-formed frame will do: what is tested is that the bytes cross the wire unchanged.
  const garp = Buffer.from(
    'ffffffffffff' +
      '020000000a01' +
      '0806' +
      '000108000604' +
      '0001' +
      '020000000a01' +
      '0a280007' +
      '000000000000' +
      '0a280007',
    'hex',
  );

  it('sends a frame on one veth end that arrives unchanged on the peer', () => {
    const got = capture(b, 0x0806, garp, () => sendFrame(a, garp, { netns: ns.path }));
    expect(got?.toString('hex')).toBe(garp.toString('hex'));
  });

  it('sends a frame by ifindex', () => {
    const index = getLink(a, { netns: ns.path }).index;
    const got = capture(b, 0x0806, garp, () => sendFrame(index, garp, { netns: ns.path }));
    expect(got?.toString('hex')).toBe(garp.toString('hex'));
  });

  it("hands the socket's slow release to a detached process: no child, no descriptor left, socket closed soon", async () => {
    // Closing an AF_PACKET socket waits for an RCU grace period; sendFrame must not (see close_off_path in C).
    const fds = () => readdirSync('/proc/self/fd').length;
    const children = () =>
      readdirSync('/proc/self/task')
        .map((tid) => readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim())
        .filter((c) => c !== '');
    const packetSockets = () =>
      syscalls().readFileInNetns(ns.path, '/proc/net/packet', 65536).toString('utf8').trim().split('\n').length - 1;
    const before = fds();
    const got = capture(b, 0x0806, garp, () => sendFrame(a, garp, { netns: ns.path }));
    expect(got?.toString('hex')).toBe(garp.toString('hex'));
    expect(children()).toEqual([]); // the intermediate child was reaped, the grandchild is not ours
    expect(fds()).toBe(before);
    // The grandchild closes the last reference once the kernel's grace period passes: the netns ends with none.
    const deadline = Date.now() + 5000;
    while (packetSockets() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(packetSockets()).toBe(0);
  });

  it('rejects a frame shorter than an Ethernet header', () => {
    expect(() => sendFrame(a, Buffer.alloc(10), { netns: ns.path })).toThrow(InvalidArgumentError);
  });
});

import { execFileSync } from 'node:child_process';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, uniquePrefix } from '../test/helpers.js';
import { createVeth, getLink, InvalidArgumentError, sendFrame, setLinkUp, writeSysctl } from './index.js';
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

  it('rejects a frame shorter than an Ethernet header', () => {
    expect(() => sendFrame(a, Buffer.alloc(10), { netns: ns.path })).toThrow(InvalidArgumentError);
  });
});

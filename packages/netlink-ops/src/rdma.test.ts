// RDMA netlink: byte-exact messages against the reference constants (ib-sriov-cni.md §6.2), and this kernel's answer.
import { describe, expect, it } from 'vitest';
import { NETLINK_RDMA } from './constants.js';
import { SyscallError } from './errors.js';
import {
  createNetlinkOps,
  createRecordingTransport,
  getRdmaNetnsMode,
  listRdmaDevices,
  RDMA_NLDEV_TYPE,
} from './index.js';

const hex = (s: string) => s.replace(/\s+/g, '');
/** The request without its sequence number (bytes 8..11), as hex. */
const withoutSeq = (b: Buffer) => Buffer.concat([b.subarray(0, 8), b.subarray(12)]).toString('hex');

function devicePayload(index: number, name: string): Buffer {
  const nameBytes = Buffer.from(`${name}\0`);
  const nameAttr = Buffer.alloc(4 + ((nameBytes.length + 3) & ~3));
  nameAttr.writeUInt16LE(4 + nameBytes.length, 0);
  nameAttr.writeUInt16LE(2, 2);
  nameBytes.copy(nameAttr, 4);
  const idx = Buffer.from([8, 0, 1, 0, 0, 0, 0, 0]);
  idx.writeUInt32LE(index, 4);
  const guid = Buffer.alloc(12);
  guid.writeUInt16LE(12, 0);
  guid.writeUInt16LE(6, 2);
  guid.writeBigUInt64LE(0x248a0703009c1f2an, 4);
  return Buffer.concat([idx, nameAttr, guid]);
}

describe('RDMA netlink messages', () => {
  it('uses nlmsg types (client 5 << 10) + op: GET 5121, SET 5122, SYS_GET 5126, SYS_SET 5127', () => {
    expect(RDMA_NLDEV_TYPE).toEqual({ GET: 5121, SET: 5122, SYS_GET: 5126, SYS_SET: 5127 });
  });

  it('encodes SYS_GET / SYS_SET and reads the netns mode', () => {
    const transport = createRecordingTransport({
      inner: null,
      answer: (r) =>
        r.type === RDMA_NLDEV_TYPE.SYS_GET
          ? { messages: [{ type: RDMA_NLDEV_TYPE.SYS_GET, payload: Buffer.from(hex('0500 4200 00 000000'), 'hex') }] }
          : undefined,
    });
    const ops = createNetlinkOps({ transport });
    expect(ops.getRdmaNetnsMode()).toBe('exclusive');
    ops.setRdmaNetnsMode('shared');
    ops.setRdmaNetnsMode('exclusive');
    const [get, shared, exclusive] = transport.requests;
    expect(transport.requests.every((r) => r.protocol === NETLINK_RDMA)).toBe(true);
    // nlmsghdr: len, type 0x1406, flags REQUEST|ACK, [seq], pid 0; no family header, no attributes
    expect(withoutSeq(get!.bytes)).toBe(hex('10000000 0614 0500 00000000'));
    // + RDMA_NLDEV_SYS_ATTR_NETNS_MODE (66) u8: 1 shared, 0 exclusive
    expect(withoutSeq(shared!.bytes)).toBe(hex('18000000 0714 0500 00000000 0500 4200 01 000000'));
    expect(withoutSeq(exclusive!.bytes)).toBe(hex('18000000 0714 0500 00000000 0500 4200 00 000000'));
  });

  it('lists devices (GET dump) and moves one: SET with DEV_INDEX (1) + NET_NS_FD (68)', () => {
    const transport = createRecordingTransport({
      inner: null,
      answer: (r) =>
        r.type === RDMA_NLDEV_TYPE.GET
          ? {
              messages: [
                { type: RDMA_NLDEV_TYPE.GET, payload: devicePayload(1, 'mlx5_0') },
                { type: RDMA_NLDEV_TYPE.GET, payload: devicePayload(3, 'mlx5_3') },
              ],
            }
          : undefined,
    });
    const ops = createNetlinkOps({ transport });
    expect(ops.listRdmaDevices()).toEqual([
      { index: 1, name: 'mlx5_0', nodeGuid: '24:8a:07:03:00:9c:1f:2a' },
      { index: 3, name: 'mlx5_3', nodeGuid: '24:8a:07:03:00:9c:1f:2a' },
    ]);
    transport.clear();
    ops.moveRdmaDevice('mlx5_3', { toNetns: '/var/run/netns/pod' });
    const [dump, set] = transport.requests;
    expect(withoutSeq(dump!.bytes)).toBe(hex('10000000 0114 0503 00000000'));
    // fake netns fd 1000 = 0x3e8
    expect(withoutSeq(set!.bytes)).toBe(hex('20000000 0214 0500 00000000 0800 0100 03000000 0800 4400 e8030000'));
    expect(transport.netnsFdPaths).toEqual(['/var/run/netns/pod']);
    expect(() => ops.moveRdmaDevice('mlx5_9', { toNetns: '/var/run/netns/pod' })).toThrow(
      expect.objectContaining({ code: 'ENODEV' }),
    );
  });
});

describe('RDMA netlink on this kernel', () => {
  it('cannot open NETLINK_RDMA without InfiniBand support: EPROTONOSUPPORT from socket()', () => {
    let outcome: unknown;
    try {
      outcome = listRdmaDevices();
    } catch (e) {
      outcome = e;
    }
    if (Array.isArray(outcome)) {
      // A kernel with RDMA support (e.g. rdma_rxe): the dump works and the mode is readable.
      expect(['shared', 'exclusive']).toContain(getRdmaNetnsMode());
      return;
    }
    expect(outcome).toBeInstanceOf(SyscallError);
    expect(outcome).toMatchObject({ errno: 93, code: 'EPROTONOSUPPORT', syscall: 'socket' });
  });
});

// What this kernel answers, asserted exactly: VF attributes on a veth (no SR-IOV here), malformed attributes,
// partial application of a multi-attribute request.
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipLink, Sandbox, uniquePrefix } from '../test/helpers.js';
import { AttrWriter } from './codec.js';
import { NetlinkConnection } from './connection.js';
import { IFLA, IFLA_VF, IFLA_VF_INFO, NETLINK_GET_STRICT_CHK, RTM, SOL_NETLINK } from './constants.js';
import { NetlinkError } from './errors.js';
import {
  createNetlinkOps,
  createRecordingTransport,
  createVeth,
  getLink,
  setLink,
  setVfGuid,
  setVfLinkState,
  setVfMac,
  setVfRate,
  setVfSpoofchk,
  setVfTrust,
  setVfVlan,
  setVfVlanLegacy,
} from './index.js';
import { ifinfomsg } from './link.js';
import { nativeTransport } from './transport.js';

const reason = missingPrerequisites('netlink-ops kernel answers', [isRoot(), executable('ip')]);

function expectNetlinkError(fn: () => unknown, code: string, errno: number): NetlinkError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetlinkError);
    const err = e as NetlinkError;
    expect([err.code, err.errno]).toEqual([code, errno]);
    return err;
  }
  throw new Error(`expected ${code}`);
}

describe.skipIf(reason !== null)('kernel answers on veth', () => {
  const box = new Sandbox(uniquePrefix('ka'));
  let ns: { name: string; path: string };
  let pf: string;
  const raw = <T>(fn: (c: NetlinkConnection) => T): T => {
    const ch = nativeTransport.open(0, { netns: ns.path });
    try {
      return fn(new NetlinkConnection(ch, 5000));
    } finally {
      ch.close();
    }
  };
  afterAll(() => box.cleanup());
  beforeAll(() => {
    ns = box.newNetns();
    pf = box.name('pf');
    createVeth(pf, box.name('pq'), { netns: ns.path });
  });

  it('rejects every well-formed VF attribute with EOPNOTSUPP (95) and no ext-ack message', () => {
    const o = { netns: ns.path };
    const calls: (() => void)[] = [
      () => setVfMac(pf, 0, '02:00:00:00:00:01', o),
      () => setVfVlan(pf, 0, { vlan: 100, qos: 3, proto: '802.1ad' }, o),
      () => setVfVlan(pf, 0, { vlan: 100 }, o),
      () => setVfVlanLegacy(pf, 0, { vlan: 100, qos: 1 }, o),
      () => setVfSpoofchk(pf, 0, false, o),
      () => setVfTrust(pf, 0, true, o),
      () => setVfLinkState(pf, 0, 'disable', o),
      () => setVfRate(pf, 0, { minTxRate: 0, maxTxRate: 1000 }, o),
      () => setVfGuid(pf, 0, 'node', '00:11:22:33:44:55:66:77', o),
      () => setVfGuid(pf, 0, 'port', '00:11:22:33:44:55:66:78', o),
    ];
    for (const call of calls) {
      const err = expectNetlinkError(call, 'EOPNOTSUPP', 95);
      expect(err.extAckMessage).toBeUndefined();
      expect(err.description).toBe('operation not supported');
    }
  });

  it('rejects a packed 12-byte ifla_vf_guid with ERANGE (policy length check)', () => {
    const index = getLink(pf, { netns: ns.path }).index;
    const payload = Buffer.alloc(12);
    payload.writeBigUInt64LE(0x0011223344556677n, 4);
    const w = new AttrWriter();
    w.raw(ifinfomsg(index));
    w.nest(IFLA.VFINFO_LIST, () => w.nest(IFLA_VF_INFO, () => w.bytes(IFLA_VF.IB_NODE_GUID, payload)));
    expectNetlinkError(() => raw((c) => c.ack('guid12', RTM.SETLINK, 0, w.finish())), 'ERANGE', 34);
  });

  it('applies the MTU and then fails on the VF attribute in the same request (not atomic)', () => {
    const o = { netns: ns.path };
    setLink(pf, { mtu: 1500 }, o);
    expectNetlinkError(() => setLink(pf, { mtu: 1234, vf: { vf: 0, spoofchk: false } }, o), 'EOPNOTSUPP', 95);
    expect(ipLink(pf, ns.name)!.mtu).toBe(1234);
    expect(getLink(pf, o).mtu).toBe(1234);
  });

  it('reports a 2-byte IFLA_MTU as ERANGE with the ext-ack message and the attribute offset', () => {
    const w = new AttrWriter();
    w.raw(ifinfomsg(getLink(pf, { netns: ns.path }).index));
    w.u16(IFLA.MTU, 1400);
    const err = expectNetlinkError(() => raw((c) => c.ack('mtu16', RTM.SETLINK, 0, w.finish())), 'ERANGE', 34);
    expect(err.extAckMessage).toBe('Attribute failed policy validation');
    expect(err.extAckOffset).toBe(32); // 16 nlmsghdr + 16 ifinfomsg: the first attribute
  });

  it('rejects an interface name of 16+ characters with ERANGE', () => {
    const w = new AttrWriter();
    w.raw(ifinfomsg(getLink(pf, { netns: ns.path }).index));
    w.string(IFLA.IFNAME, 'sixteen-chars-xx');
    const err = expectNetlinkError(() => raw((c) => c.ack('longname', RTM.SETLINK, 0, w.finish())), 'ERANGE', 34);
    expect(err.extAckMessage).toBe('Attribute failed policy validation');
  });

  it('answers an unknown message type with EOPNOTSUPP', () => {
    expectNetlinkError(() => raw((c) => c.ack('type999', 999, 0, ifinfomsg())), 'EOPNOTSUPP', 95);
  });

  it('fails a strict-checked dump in NLMSG_DONE with the ext-ack message', () => {
    const err = expectNetlinkError(
      () =>
        raw((c) => {
          c.channel.setsockoptInt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
          return c.dump('strict', RTM.GETLINK, ifinfomsg(0, 1));
        }),
      'EINVAL',
      22,
    );
    expect(err.extAckMessage).toBe('Invalid values in header for link dump request');
  });

  it('asks for the VF list with IFLA_EXT_MASK and gets none from a veth', () => {
    const transport = createRecordingTransport();
    const ops = createNetlinkOps({ transport });
    const link = ops.getLink(pf, { netns: ns.path, vfInfo: true });
    expect(link.name).toBe(pf);
    expect(link.vfs).toBeUndefined(); // a veth has no parent device, so no IFLA_NUM_VF
    const req = transport.requests[0]!;
    expect(req.type).toBe(RTM.GETLINK);
    // ... IFLA_IFNAME, then IFLA_EXT_MASK = RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS
    expect(req.bytes.subarray(-8).toString('hex')).toBe('08001d0009000000');
  });
});

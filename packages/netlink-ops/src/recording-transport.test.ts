// The test seam: a recording transport that answers like SR-IOV hardware.
import { describe, expect, it } from 'vitest';
import { NLM_F, RTM } from './constants.js';
import { NetlinkError } from './errors.js';
import { createNetlinkOps, createRecordingTransport, encodeLinkPayload, type VfInfo } from './index.js';

const vfs: VfInfo[] = [
  {
    vf: 0,
    mac: '02:00:00:00:00:10',
    vlan: 100,
    qos: 2,
    vlanProto: '802.1ad',
    spoofchk: true,
    trust: false,
    linkState: 'enable',
    minTxRate: 10,
    maxTxRate: 1000,
  },
  {
    vf: 1,
    mac: '00:00:00:00:00:00',
    linkState: 'auto',
    nodeGuid: '00:11:22:33:44:55:66:77',
    portGuid: '00:11:22:33:44:55:66:78',
  },
];

describe('recording transport', () => {
  it('answers GETLINK with a PF and its VFs; getLink parses the VF state back', () => {
    const transport = createRecordingTransport({
      inner: null,
      answer: (r) =>
        r.type === RTM.GETLINK
          ? {
              messages: [
                {
                  type: RTM.NEWLINK,
                  payload: encodeLinkPayload({ index: 4, name: 'ens1f0', mac: 'b8:ce:f6:00:00:01', vfs }),
                },
              ],
            }
          : undefined,
    });
    const link = createNetlinkOps({ transport }).getLink('ens1f0', { vfInfo: true });
    expect(link).toMatchObject({ index: 4, name: 'ens1f0', mac: 'b8:ce:f6:00:00:01', numVf: 2, up: true });
    expect(link.vfs).toEqual([
      {
        vf: 0,
        mac: '02:00:00:00:00:10',
        vlan: 100,
        qos: 2,
        vlanProto: '802.1ad',
        vlanList: [{ vlan: 100, qos: 2, proto: '802.1ad' }],
        txRate: 1000,
        minTxRate: 10,
        maxTxRate: 1000,
        spoofchk: true,
        trust: false,
        linkState: 'enable',
      },
      {
        vf: 1,
        mac: '00:00:00:00:00:00',
        vlan: 0,
        qos: 0,
        vlanProto: '802.1Q',
        vlanList: [{ vlan: 0, qos: 0, proto: '802.1Q' }],
        txRate: 0,
        minTxRate: 0,
        maxTxRate: 0,
        linkState: 'auto',
        nodeGuid: '00:11:22:33:44:55:66:77',
        portGuid: '00:11:22:33:44:55:66:78',
      },
    ]);
    expect(transport.requests).toHaveLength(1);
    expect(transport.requests[0]!.flags).toBe(NLM_F.REQUEST);
  });

  it('answers an error with an ext-ack message and offset; the operation throws a NetlinkError', () => {
    const transport = createRecordingTransport({
      inner: null,
      answer: (r) =>
        r.type === RTM.SETLINK ? { error: 22, extAckMessage: 'VF out of range', extAckOffset: 36 } : undefined,
    });
    const ops = createNetlinkOps({ transport });
    try {
      ops.setVfTrust(3, 9, true);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NetlinkError);
      expect(e).toMatchObject({ errno: 22, code: 'EINVAL', extAckMessage: 'VF out of range', extAckOffset: 36 });
      expect((e as Error).message).toBe('setLink 3: invalid argument (EINVAL): VF out of range');
    }
  });

  it('answers 95 as EOPNOTSUPP, never ENOTSUP', () => {
    const ops = createNetlinkOps({
      transport: createRecordingTransport({ inner: null, answer: () => ({ error: 95 }) }),
    });
    expect(() => ops.setVfSpoofchk(3, 0, false)).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP', errno: 95 }));
  });

  it('acks unanswered requests and returns empty dumps when there is no inner transport', () => {
    const transport = createRecordingTransport({ inner: null });
    const ops = createNetlinkOps({ transport });
    ops.setLinkMtu('eth0', 9000);
    expect(ops.listLinks()).toEqual([]);
    expect(transport.requests.map((r) => [r.type, r.flags])).toEqual([
      [RTM.SETLINK, NLM_F.REQUEST | NLM_F.ACK],
      [RTM.GETLINK, NLM_F.REQUEST | NLM_F.DUMP],
    ]);
    transport.clear();
    expect(transport.requests).toEqual([]);
  });

  it('records the netns of each socket and the netns fds of a move', () => {
    const transport = createRecordingTransport({ inner: null });
    createNetlinkOps({ transport }).moveLink(12, {
      toNetns: '/var/run/netns/pod',
      newName: 'net1',
      up: true,
      netns: '/proc/1/ns/net',
    });
    expect(transport.netnsFdPaths).toEqual(['/var/run/netns/pod']);
    const req = transport.requests[0]!;
    expect(req.netns).toBe('/proc/1/ns/net');
    expect(req.type).toBe(RTM.NEWLINK);
    // ifinfomsg{index 12, flags IFF_UP, change IFF_UP} + IFLA_NET_NS_FD(fake fd 1000) + IFLA_IFNAME "net1"
    expect(req.payload.toString('hex')).toBe(
      ['0000 0000 0c000000 01000000 01000000', '0800 1c00 e8030000', '0900 0300 6e65743100 000000']
        .join('')
        .replace(/ /g, ''),
    );
  });

  it('rejects relative or dotted netns paths before opening anything', () => {
    const transport = createRecordingTransport({ inner: null });
    const ops = createNetlinkOps({ transport });
    expect(() => ops.getLink('eth0', { netns: 'var/run/netns/x' })).toThrow(/absolute/);
    expect(() => ops.getLink('eth0', { netns: '/var/run/netns/../../etc' })).toThrow(/'\.\.'/);
    expect(() => ops.getLink('x'.repeat(128))).toThrow(/invalid interface or alternative name/);
    expect(() => ops.getLink('bad name')).toThrow(/not a valid interface name/);
    expect(transport.requests).toEqual([]);
  });

  it('looks a name longer than 15 bytes up as an altname (IFLA_ALT_IFNAME)', () => {
    const transport = createRecordingTransport({ inner: null, answer: () => ({ error: 19 }) });
    const ops = createNetlinkOps({ transport });
    const long = 'pod-namespace-and-name-altname';
    expect(ops.findLink(long)).toBeUndefined();
    expect(ops.findLink('eth0')).toBeUndefined();
    const [byAlt, byName] = transport.requests;
    // ifinfomsg(0) + attr type 53 (IFLA_ALT_IFNAME) vs type 3 (IFLA_IFNAME)
    expect(byAlt!.payload.readUInt16LE(18)).toBe(53);
    expect(byAlt!.payload.toString('utf8', 20, 20 + long.length)).toBe(long);
    expect(byName!.payload.readUInt16LE(18)).toBe(3);
  });
});

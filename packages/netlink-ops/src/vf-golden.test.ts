// Golden bytes for every VF attribute, written by hand from the kernel struct layouts that iproute2 sends
// (reference: netlink.md "Struct padding", ib-sriov-cni.md §6.1), compared with what the operations put on the wire.
import { describe, expect, it } from 'vitest';
import { RTM } from './constants.js';
import { createNetlinkOps, createRecordingTransport, encodeLinkPayload, type NetlinkOps } from './index.js';
import { InvalidArgumentError } from './validate.js';

const PF_INDEX = 7;
const hex = (s: string) => s.replace(/\s+/g, '');

function opsOnFakePf(): { ops: NetlinkOps; sent: () => Buffer } {
  const transport = createRecordingTransport({ inner: null });
  const ops = createNetlinkOps({ transport });
  return {
    ops,
    sent: () => {
      const setlinks = transport.requests.filter((r) => r.type === RTM.SETLINK);
      expect(setlinks).toHaveLength(1);
      const req = setlinks[0]!;
      expect(req.flags).toBe(0x5); // NLM_F_REQUEST | NLM_F_ACK
      // ifinfomsg: family 0, type 0, index 7, flags 0, change 0
      expect(req.payload.subarray(0, 16).toString('hex')).toBe(hex('00 00 0000 07000000 00000000 00000000'));
      return req.payload.subarray(16);
    },
  };
}

// IFLA_VFINFO_LIST (22) { IFLA_VF_INFO (1) { attr } } with lengths 8 and 4 bytes more than the attribute.
const wrap = (attr: string) => {
  const a = hex(attr);
  const len = a.length / 2;
  const le16 = (n: number) => Buffer.from([n & 0xff, n >> 8]).toString('hex');
  return `${le16(len + 8)}1600${le16(len + 4)}0100${a}`;
};

describe('VF attribute encodings (byte-exact)', () => {
  it('IFLA_VF_MAC: ifla_vf_mac {u32 vf; u8 mac[32]} = 36 bytes', () => {
    const { ops, sent } = opsOnFakePf();
    ops.setVfMac(PF_INDEX, 3, 'aa:bb:cc:dd:ee:ff');
    expect(sent().toString('hex')).toBe(wrap(`2800 0100 03000000 aabbccddeeff ${'00'.repeat(26)}`));
  });

  it('IFLA_VF_VLAN_LIST { IFLA_VF_VLAN_INFO {vf, vlan, qos, __be16 proto, 2 pad} } = 16 bytes, nla_len 20', () => {
    const { ops, sent } = opsOnFakePf();
    ops.setVfVlan(PF_INDEX, 0, { vlan: 100, qos: 3, proto: '802.1ad' });
    expect(sent().toString('hex')).toBe(wrap('1800 0c00 1400 0100 00000000 64000000 03000000 88a8 0000'));
    const q = opsOnFakePf();
    q.ops.setVfVlan(PF_INDEX, 1, { vlan: 4095 });
    expect(q.sent().toString('hex')).toBe(wrap('1800 0c00 1400 0100 01000000 ff0f0000 00000000 8100 0000'));
  });

  it('plain IFLA_VF_VLAN: ifla_vf_vlan {vf, vlan, qos} = 12 bytes', () => {
    const { ops, sent } = opsOnFakePf();
    ops.setVfVlanLegacy(PF_INDEX, 2, { vlan: 10, qos: 5 });
    expect(sent().toString('hex')).toBe(wrap('1000 0200 02000000 0a000000 05000000'));
  });

  it('IFLA_VF_RATE: ifla_vf_rate {vf, min_tx_rate, max_tx_rate} = 12 bytes', () => {
    const { ops, sent } = opsOnFakePf();
    ops.setVfRate(PF_INDEX, 0, { minTxRate: 100, maxTxRate: 1000 });
    expect(sent().toString('hex')).toBe(wrap('1000 0600 00000000 64000000 e8030000'));
  });

  it('IFLA_VF_SPOOFCHK / TRUST / LINK_STATE: {vf, setting} = 8 bytes', () => {
    const a = opsOnFakePf();
    a.ops.setVfSpoofchk(PF_INDEX, 2, true);
    expect(a.sent().toString('hex')).toBe(wrap('0c00 0400 02000000 01000000'));
    const b = opsOnFakePf();
    b.ops.setVfTrust(PF_INDEX, 3, false);
    expect(b.sent().toString('hex')).toBe(wrap('0c00 0900 03000000 00000000'));
    for (const [state, value] of [
      ['auto', '00'],
      ['enable', '01'],
      ['disable', '02'],
    ] as const) {
      const c = opsOnFakePf();
      c.ops.setVfLinkState(PF_INDEX, 0, state);
      expect(c.sent().toString('hex')).toBe(wrap(`0c00 0500 00000000 ${value}000000`));
    }
  });

  it('IFLA_VF_IB_NODE_GUID / PORT_GUID: ifla_vf_guid {u32 vf; 4 pad; u64 guid} = 16 bytes, first octet most significant', () => {
    const node = opsOnFakePf();
    node.ops.setVfGuid(PF_INDEX, 1, 'node', '00:11:22:33:44:55:66:77');
    expect(node.sent().toString('hex')).toBe(wrap('1400 0a00 01000000 00000000 7766554433221100'));
    const port = opsOnFakePf();
    port.ops.setVfGuid(PF_INDEX, 1, 'port', 0xfedcba9876543210n);
    expect(port.sent().toString('hex')).toBe(wrap('1400 0b00 01000000 00000000 1032547698badcfe'));
  });

  it('a PF addressed by name is looked up first, then addressed by ifindex as iproute2 does', () => {
    const transport = createRecordingTransport({
      inner: null,
      answer: (r) =>
        r.type === RTM.GETLINK
          ? { messages: [{ type: RTM.NEWLINK, payload: encodeLinkPayload({ index: PF_INDEX, name: 'pf0' }) }] }
          : undefined,
    });
    createNetlinkOps({ transport }).setVfTrust('pf0', 0, true);
    expect(transport.requests.map((r) => r.type)).toEqual([RTM.GETLINK, RTM.SETLINK]);
    expect(transport.requests[1]!.payload.readInt32LE(4)).toBe(PF_INDEX);
  });

  it('rejects invalid VF input before sending anything', () => {
    const transport = createRecordingTransport({ inner: null });
    const ops = createNetlinkOps({ transport });
    expect(() => ops.setVfVlan(1, 0, { vlan: 4096 })).toThrow(InvalidArgumentError);
    expect(() => ops.setVfVlan(1, 0, { vlan: 1, qos: 8 })).toThrow(InvalidArgumentError);
    // @ts-expect-error invalid protocol
    expect(() => ops.setVfVlan(1, 0, { vlan: 1, proto: '802.1X' })).toThrow(InvalidArgumentError);
    expect(() => ops.setVfGuid(1, 0, 'node', '00:11:22:33:44:55:66')).toThrow(InvalidArgumentError);
    expect(() => ops.setVfGuid(1, 0, 'node', '0011:2233:4455:6677')).toThrow(InvalidArgumentError);
    expect(() => ops.setVfMac(1, 0, 'not-a-mac')).toThrow(InvalidArgumentError);
    expect(() => ops.setVfRate(1, -1, { minTxRate: 0, maxTxRate: 0 })).toThrow(InvalidArgumentError);
    // @ts-expect-error invalid state
    expect(() => ops.setVfLinkState(1, 0, 'up')).toThrow(InvalidArgumentError);
    expect(() => ops.setLink(1, { vf: { vf: 0, nodeGuid: 1n, portGuid: 2n } })).toThrow(/separate requests/);
    expect(transport.requests).toEqual([]);
  });
});

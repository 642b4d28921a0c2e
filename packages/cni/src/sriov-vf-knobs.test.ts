import type { NetlinkOps } from '@sriov-ts/netlink-ops';
import { describe, expect, it } from 'vitest';
import {
  describeVfKnob,
  ETH_P_8021AD,
  ETH_P_8021Q,
  netlinkVfKnobs,
  planVfKnobRestore,
  planVfKnobs,
  restoreVfKnob,
  type VfKnobState,
} from './sriov-vf-knobs.js';

const orig: VfKnobState = {
  adminMac: '00:00:00:00:00:00',
  vlan: 7,
  vlanQoS: 1,
  vlanProto: ETH_P_8021Q,
  spoofchk: true,
  trust: false,
  minTxRate: 0,
  maxTxRate: 0,
  linkState: 0,
};

describe('knob planning', () => {
  it('plans nothing for a config without PF-side knobs (the PF VF list is then never read)', () => {
    expect(planVfKnobs({}, '')).toEqual([]);
    expect(planVfKnobs({ spoofchk: '', trust: '', linkState: '' }, '')).toEqual([]); // Go: "" = not set
  });

  it('applies knobs in the Go order: vlan, mac, rate, spoofchk, trust, link state', () => {
    const plan = planVfKnobs(
      {
        linkState: 'disable',
        trust: 'on',
        spoofchk: 'off',
        maxTxRate: 100,
        vlan: 100,
        vlanQoS: 3,
        vlanProto: '802.1AD',
      },
      'aa:bb:cc:dd:ee:ff',
    );
    expect(plan).toEqual([
      { kind: 'vlan', vlan: 100, qos: 3, proto: ETH_P_8021AD },
      { kind: 'mac', mac: 'aa:bb:cc:dd:ee:ff' },
      { kind: 'rate', min: 0, max: 100 }, // the absent rate is written as 0
      { kind: 'spoofchk', on: false },
      { kind: 'trust', on: true },
      { kind: 'linkState', state: 2 },
    ]);
    expect(planVfKnobs({ vlan: 5 }, '')).toEqual([{ kind: 'vlan', vlan: 5, qos: 0, proto: ETH_P_8021Q }]);
    expect(planVfKnobs({ spoofchk: 'yes', linkState: 'Enable' }, '')).toEqual([{ kind: 'spoofchk', on: false }]);
  });

  it('restores each knob to its original value', () => {
    expect(restoreVfKnob({ kind: 'vlan', vlan: 100, qos: 0, proto: ETH_P_8021AD }, orig)).toEqual({
      kind: 'vlan',
      vlan: 7,
      qos: 1,
      proto: ETH_P_8021Q,
    });
    expect(restoreVfKnob({ kind: 'spoofchk', on: false }, orig)).toEqual({ kind: 'spoofchk', on: true });
    expect(restoreVfKnob({ kind: 'vlan', vlan: 1, qos: 0, proto: 0 }, { ...orig, vlanProto: 0 })).toMatchObject({
      proto: ETH_P_8021Q,
    });
  });

  it('DEL restores in the Go order and only what was set; admin MAC only when it changed', () => {
    const set = planVfKnobs({ vlan: 5, trust: 'on', spoofchk: 'on', linkState: 'enable', minTxRate: 10 }, '');
    const kinds = (current?: string) =>
      planVfKnobRestore(
        set,
        { ...orig, adminMac: '02:00:00:00:00:01' },
        current === undefined ? undefined : { adminMac: current },
      ).map((c) => c.kind);
    expect(kinds('02:00:00:00:00:99')).toEqual(['vlan', 'spoofchk', 'mac', 'trust', 'rate', 'linkState']);
    expect(kinds('02:00:00:00:00:01')).toEqual(['vlan', 'spoofchk', 'trust', 'rate', 'linkState']);
    expect(kinds(undefined)).toEqual(['vlan', 'spoofchk', 'trust', 'rate', 'linkState']);
    expect(planVfKnobRestore([], orig, { adminMac: '00:00:00:00:00:00' })).toEqual([]);
  });

  it('names the knob in the Go wording', () => {
    expect(describeVfKnob(0, { kind: 'vlan', vlan: 100, qos: 0, proto: ETH_P_8021Q })).toBe(
      'failed to set vf 0 vlan configuration - id 100, qos 0 and proto 802.1q',
    );
    expect(describeVfKnob(3, { kind: 'trust', on: true })).toBe('failed to set vf 3 trust flag to on');
    expect(describeVfKnob(1, { kind: 'rate', min: 1, max: 2 })).toBe(
      'failed to set vf 1 min_tx_rate to 1 Mbps: max_tx_rate to 2 Mbps',
    );
  });
});

describe('netlinkVfKnobs (the netlink-ops calls; the bytes are checked in sriov-cni test/undo.netns.test.ts)', () => {
  const refusal = (code: string) => Object.assign(new Error(code), { name: 'NetlinkError', code, errno: 95 });
  function fakeNl(refuse?: (changes: Record<string, unknown>) => Error | undefined) {
    const calls: unknown[] = [];
    const nl: Pick<NetlinkOps, 'getLink' | 'setLink'> = {
      getLink: (_pf, opts) =>
        ({
          mtu: 9000,
          vfs: opts?.vfInfo
            ? [{ vf: 1, mac: '02:00:00:00:00:01', vlan: 3, qos: 1, vlanProto: '802.1ad', linkState: 'disable' }]
            : undefined,
        }) as never,
      setLink: (pf, changes) => {
        calls.push([pf, changes.vf]);
        const e = refuse?.({ ...changes.vf });
        if (e) throw e;
        return undefined as never;
      },
    };
    return { nl, calls };
  }

  it('reads a VF in the Go cache form (ethertype, link state by value); none without a VF list entry', () => {
    const { nl } = fakeNl();
    expect(netlinkVfKnobs(nl).read('pf0', 1)).toEqual({
      adminMac: '02:00:00:00:00:01',
      vlan: 3,
      vlanQoS: 1,
      vlanProto: ETH_P_8021AD,
      spoofchk: false,
      trust: false,
      minTxRate: 0,
      maxTxRate: 0,
      linkState: 2,
    });
    expect(netlinkVfKnobs(nl).read('pf0', 0)).toBeUndefined();
    expect(netlinkVfKnobs(nl).pfMtu('pf0')).toBe(9000);
  });

  it('sets one knob per request; a refused 802.1Q VLAN list falls back to the plain VLAN, 802.1ad does not', () => {
    const { nl, calls } = fakeNl((vf) => (vf.vlan ? refusal('EOPNOTSUPP') : undefined));
    const knobs = netlinkVfKnobs(nl);
    knobs.set('pf0', 1, { kind: 'vlan', vlan: 10, qos: 2, proto: ETH_P_8021Q });
    knobs.set('pf0', 1, { kind: 'linkState', state: 1 });
    expect(calls).toEqual([
      ['pf0', { vf: 1, vlan: { vlan: 10, qos: 2, proto: '802.1Q' } }],
      ['pf0', { vf: 1, vlanLegacy: { vlan: 10, qos: 2 } }],
      ['pf0', { vf: 1, linkState: 'enable' }],
    ]);
    expect(() => knobs.set('pf0', 1, { kind: 'vlan', vlan: 10, qos: 0, proto: ETH_P_8021AD })).toThrow('EOPNOTSUPP');
    const other = fakeNl((vf) => (vf.vlan ? refusal('EPERM') : undefined));
    expect(() => netlinkVfKnobs(other.nl).set('pf0', 1, { kind: 'vlan', vlan: 1, qos: 0, proto: ETH_P_8021Q })).toThrow(
      'EPERM',
    );
    expect(other.calls).toHaveLength(1);
  });
});

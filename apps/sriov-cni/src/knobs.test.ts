import { describe, expect, it } from 'vitest';
import { describeKnob, ETH_P_8021AD, ETH_P_8021Q, planAdd, planRestore, restoreOf, type VfKnobState } from './knobs.js';

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
    expect(planAdd({})).toEqual([]);
  });

  it('applies knobs in the Go order: vlan, mac, rate, spoofchk, trust, link state', () => {
    const plan = planAdd({
      linkState: 2,
      trust: true,
      spoofchk: false,
      maxTxRate: 100,
      mac: 'aa:bb:cc:dd:ee:ff',
      vlan: 100,
      vlanQoS: 3,
      vlanProto: ETH_P_8021AD,
    });
    expect(plan.map((c) => c.kind)).toEqual(['vlan', 'mac', 'rate', 'spoofchk', 'trust', 'linkState']);
    expect(plan[0]).toEqual({ kind: 'vlan', vlan: 100, qos: 3, proto: ETH_P_8021AD });
    expect(plan[2]).toEqual({ kind: 'rate', min: 0, max: 100 }); // the absent rate is written as 0
  });

  it('restores each knob to its original value', () => {
    expect(restoreOf({ kind: 'vlan', vlan: 100, qos: 0, proto: ETH_P_8021AD }, orig)).toEqual({
      kind: 'vlan',
      vlan: 7,
      qos: 1,
      proto: ETH_P_8021Q,
    });
    expect(restoreOf({ kind: 'spoofchk', on: false }, orig)).toEqual({ kind: 'spoofchk', on: true });
    expect(restoreOf({ kind: 'vlan', vlan: 1, qos: 0, proto: 0 }, { ...orig, vlanProto: 0 })).toMatchObject({
      proto: ETH_P_8021Q,
    });
  });

  it('DEL restores in the Go order and only what was set; admin MAC only when it changed', () => {
    const set = { vlan: 5, trust: true, spoofchk: true, linkState: 1, minTxRate: 10 };
    const kinds = (current?: string) =>
      planRestore(
        set,
        { ...orig, adminMac: '02:00:00:00:00:01' },
        current === undefined ? undefined : { adminMac: current },
      ).map((c) => c.kind);
    expect(kinds('02:00:00:00:00:99')).toEqual(['vlan', 'spoofchk', 'mac', 'trust', 'rate', 'linkState']);
    expect(kinds('02:00:00:00:00:01')).toEqual(['vlan', 'spoofchk', 'trust', 'rate', 'linkState']);
    expect(kinds(undefined)).toEqual(['vlan', 'spoofchk', 'trust', 'rate', 'linkState']);
    expect(planRestore({}, orig, { adminMac: '00:00:00:00:00:00' })).toEqual([]);
  });

  it('names the knob in the Go wording', () => {
    expect(describeKnob(0, { kind: 'vlan', vlan: 100, qos: 0, proto: ETH_P_8021Q })).toBe(
      'failed to set vf 0 vlan configuration - id 100, qos 0 and proto 802.1q',
    );
    expect(describeKnob(3, { kind: 'trust', on: true })).toBe('failed to set vf 3 trust flag to on');
    expect(describeKnob(1, { kind: 'rate', min: 1, max: 2 })).toBe(
      'failed to set vf 1 min_tx_rate to 1 Mbps: max_tx_rate to 2 Mbps',
    );
  });
});

// PF-side VF knobs: what the netconf asks for, in the order the Go plugin applies them, and how to put each one
// back. Pure functions; the netlink writes live in node-ops.ts.
import { sameMac } from '@sriov-ts/cni';
import type { CachedKnobConf } from './cache.js';

export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;

export type LinkStateName = 'auto' | 'enable' | 'disable';
/** IFLA_VF_LINK_STATE_AUTO / _ENABLE / _DISABLE */
export const LINK_STATE: Record<LinkStateName, number> = { auto: 0, enable: 1, disable: 2 };

/** The knobs a netconf may set. Absent = leave untouched (Go semantics since PR #296). */
export interface RequestedKnobs {
  vlan?: number | undefined;
  vlanQoS?: number | undefined;
  /** Ethertype, already validated. */
  vlanProto?: number | undefined;
  /** Admin MAC (lower-case), set through the PF. */
  mac?: string | undefined;
  minTxRate?: number | undefined;
  maxTxRate?: number | undefined;
  spoofchk?: boolean | undefined;
  trust?: boolean | undefined;
  linkState?: number | undefined;
}

/** A VF's PF-side state as read from IFLA_VFINFO_LIST (also the Go cache's OrigVfState subset). */
export interface VfKnobState {
  adminMac: string;
  vlan: number;
  vlanQoS: number;
  vlanProto: number;
  spoofchk: boolean;
  trust: boolean;
  minTxRate: number;
  maxTxRate: number;
  linkState: number;
}

export type KnobChange =
  | { kind: 'vlan'; vlan: number; qos: number; proto: number }
  | { kind: 'mac'; mac: string }
  | { kind: 'rate'; min: number; max: number }
  | { kind: 'spoofchk'; on: boolean }
  | { kind: 'trust'; on: boolean }
  | { kind: 'linkState'; state: number };

/**
 * The knobs a netconf asks for, from its raw keys as the cache keeps them (Go rules: a non-empty spoofchk/trust
 * string is set, "on" = true), so ADD and a later DEL read one mapping.
 */
export function requestedKnobs(k: CachedKnobConf, mac: string): RequestedKnobs {
  return {
    vlan: k.vlan,
    vlanQoS: k.vlanQoS,
    vlanProto: k.vlanProto?.toLowerCase() === '802.1ad' ? ETH_P_8021AD : ETH_P_8021Q,
    mac: mac || undefined,
    minTxRate: k.minTxRate,
    maxTxRate: k.maxTxRate,
    spoofchk: k.spoofchk ? k.spoofchk === 'on' : undefined,
    trust: k.trust ? k.trust === 'on' : undefined,
    linkState: k.linkState ? LINK_STATE[k.linkState as LinkStateName] : undefined,
  };
}

/** ADD order of the Go plugin: VLAN → admin MAC → rates → spoofchk → trust → link state. */
export function planAdd(k: RequestedKnobs): KnobChange[] {
  const plan: KnobChange[] = [];
  if (k.vlan !== undefined) {
    plan.push({ kind: 'vlan', vlan: k.vlan, qos: k.vlanQoS ?? 0, proto: k.vlanProto ?? ETH_P_8021Q });
  }
  if (k.mac) plan.push({ kind: 'mac', mac: k.mac });
  if (k.minTxRate !== undefined || k.maxTxRate !== undefined) {
    plan.push({ kind: 'rate', min: k.minTxRate ?? 0, max: k.maxTxRate ?? 0 });
  }
  if (k.spoofchk !== undefined) plan.push({ kind: 'spoofchk', on: k.spoofchk });
  if (k.trust !== undefined) plan.push({ kind: 'trust', on: k.trust });
  if (k.linkState !== undefined) plan.push({ kind: 'linkState', state: k.linkState });
  return plan;
}

/** The change that puts one knob back to its original value. */
export function restoreOf(change: KnobChange, orig: VfKnobState): KnobChange {
  switch (change.kind) {
    case 'vlan':
      return { kind: 'vlan', vlan: orig.vlan, qos: orig.vlanQoS, proto: orig.vlanProto || ETH_P_8021Q };
    case 'mac':
      return { kind: 'mac', mac: orig.adminMac };
    case 'rate':
      return { kind: 'rate', min: orig.minTxRate, max: orig.maxTxRate };
    case 'spoofchk':
      return { kind: 'spoofchk', on: orig.spoofchk };
    case 'trust':
      return { kind: 'trust', on: orig.trust };
    case 'linkState':
      return { kind: 'linkState', state: orig.linkState };
  }
}

/**
 * DEL order of the Go plugin: VLAN → spoofchk → admin MAC → trust → rates → link state. Each knob is restored
 * only when the netconf set it, except the admin MAC, which is restored whenever one was cached (PR #397: DPDK
 * apps set it themselves) — but only when it differs from the current one, so a PF that reports no VF list
 * (or a MAC nobody changed) costs no write.
 */
export function planRestore(
  set: RequestedKnobs,
  orig: Partial<VfKnobState>,
  current: Pick<VfKnobState, 'adminMac'> | undefined,
): KnobChange[] {
  const full: VfKnobState = { ...EMPTY_STATE, ...orig };
  const plan: KnobChange[] = [];
  const add = planAdd(set);
  const find = (kind: KnobChange['kind']) => add.find((c) => c.kind === kind);
  const vlan = find('vlan');
  if (vlan) plan.push(restoreOf(vlan, full));
  const spoof = find('spoofchk');
  if (spoof) plan.push(restoreOf(spoof, full));
  if (orig.adminMac && current && !sameMac(current.adminMac, orig.adminMac)) {
    plan.push({ kind: 'mac', mac: orig.adminMac });
  }
  for (const kind of ['trust', 'rate', 'linkState'] as const) {
    const c = find(kind);
    if (c) plan.push(restoreOf(c, full));
  }
  return plan;
}

const EMPTY_STATE: VfKnobState = {
  adminMac: '',
  vlan: 0,
  vlanQoS: 0,
  vlanProto: ETH_P_8021Q,
  spoofchk: false,
  trust: false,
  minTxRate: 0,
  maxTxRate: 0,
  linkState: 0,
};

function protoName(proto: number): string {
  return proto === ETH_P_8021AD ? '802.1ad' : '802.1q';
}

/** The Go plugin's wording for a failed knob (error catalogue row 14), so operators' greps keep working. */
export function describeKnob(vf: number, c: KnobChange): string {
  switch (c.kind) {
    case 'vlan':
      return `failed to set vf ${vf} vlan configuration - id ${c.vlan}, qos ${c.qos} and proto ${protoName(c.proto)}`;
    case 'mac':
      return `failed to set MAC address to ${c.mac}`;
    case 'rate':
      return `failed to set vf ${vf} min_tx_rate to ${c.min} Mbps: max_tx_rate to ${c.max} Mbps`;
    case 'spoofchk':
      return `failed to set vf ${vf} spoofchk flag to ${c.on ? 'on' : 'off'}`;
    case 'trust':
      return `failed to set vf ${vf} trust flag to ${c.on ? 'on' : 'off'}`;
    case 'linkState':
      return `failed to set vf ${vf} link state to ${c.state}`;
  }
}

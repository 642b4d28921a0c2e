// sriov-cni's PF-side VF knobs: what a netconf asks for, in the order the Go plugin applies them, how to put each one
// back, and (netlinkVfKnobs) reading and setting them through the PF with netlink-ops. The planning is pure; the
// netlink part takes the caller's netlink-ops instance, so this module loads nothing.
import type { NetlinkOps } from '@sriov-ts/netlink-ops';
import type { SriovKnobConf } from './sriov-cache.js';
import { sameMac } from './vf-netdev.js';

/** IFLA_VF_LINK_STATE_AUTO / _ENABLE / _DISABLE, by value. */
const LINK_STATES = ['auto', 'enable', 'disable'] as const;

export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;

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
  /** IFLA_VF_LINK_STATE_AUTO / _ENABLE / _DISABLE = index in LINK_STATES. */
  linkState: number;
}

export type VfKnobChange =
  | { kind: 'vlan'; vlan: number; qos: number; proto: number }
  | { kind: 'mac'; mac: string }
  | { kind: 'rate'; min: number; max: number }
  | { kind: 'spoofchk'; on: boolean }
  | { kind: 'trust'; on: boolean }
  | { kind: 'linkState'; state: number };

/**
 * ADD order of the Go plugin: VLAN → admin MAC → rates → spoofchk → trust → link state, from the knob keys as the
 * cache keeps them, so ADD and a later DEL read one mapping. Absent = untouched (Go since PR #296); a non-empty
 * spoofchk/trust string is set, "on" = true; either rate present writes both (the absent one as 0).
 */
export function planVfKnobs(k: SriovKnobConf, mac: string): VfKnobChange[] {
  const plan: VfKnobChange[] = [];
  if (k.vlan !== undefined) {
    const proto = k.vlanProto?.toLowerCase() === '802.1ad' ? ETH_P_8021AD : ETH_P_8021Q;
    plan.push({ kind: 'vlan', vlan: k.vlan, qos: k.vlanQoS ?? 0, proto });
  }
  if (mac) plan.push({ kind: 'mac', mac });
  if (k.minTxRate !== undefined || k.maxTxRate !== undefined) {
    plan.push({ kind: 'rate', min: k.minTxRate ?? 0, max: k.maxTxRate ?? 0 });
  }
  if (k.spoofchk) plan.push({ kind: 'spoofchk', on: k.spoofchk === 'on' });
  if (k.trust) plan.push({ kind: 'trust', on: k.trust === 'on' });
  const linkState = LINK_STATES.indexOf(k.linkState as (typeof LINK_STATES)[number]);
  if (k.linkState && linkState >= 0) plan.push({ kind: 'linkState', state: linkState });
  return plan;
}

/** The change that puts one knob back to its original value. */
export function restoreVfKnob(change: VfKnobChange, orig: VfKnobState): VfKnobChange {
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
export function planVfKnobRestore(
  set: VfKnobChange[],
  orig: VfKnobState,
  current: Pick<VfKnobState, 'adminMac'> | undefined,
): VfKnobChange[] {
  const restore = (kind: VfKnobChange['kind']) => set.filter((c) => c.kind === kind).map((c) => restoreVfKnob(c, orig));
  const mac = orig.adminMac && current && !sameMac(current.adminMac, orig.adminMac);
  return [
    ...restore('vlan'),
    ...restore('spoofchk'),
    ...(mac ? [{ kind: 'mac', mac: orig.adminMac } as const] : []),
    ...restore('trust'),
    ...restore('rate'),
    ...restore('linkState'),
  ];
}

/** The Go plugin's wording for a failed knob (error catalogue row 14), so operators' greps keep working. */
export function describeVfKnob(vf: number, c: VfKnobChange): string {
  switch (c.kind) {
    case 'vlan': {
      const proto = c.proto === ETH_P_8021AD ? '802.1ad' : '802.1q';
      return `failed to set vf ${vf} vlan configuration - id ${c.vlan}, qos ${c.qos} and proto ${proto}`;
    }
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

/** The PF's view of its VFs: `read` is the VF's IFLA_VFINFO_LIST entry (undefined when the PF reports none). */
export interface VfKnobOps {
  read(pf: string, vf: number): VfKnobState | undefined;
  set(pf: string, vf: number, change: VfKnobChange): void;
  pfMtu(pf: string): number;
}

export function netlinkVfKnobs(nl: Pick<NetlinkOps, 'getLink' | 'setLink'>): VfKnobOps {
  return {
    read(pf, vfIndex) {
      const v = nl.getLink(pf, { vfInfo: true }).vfs?.find((x) => x.vf === vfIndex);
      if (!v) return undefined;
      const proto =
        typeof v.vlanProto === 'number' ? v.vlanProto : v.vlanProto === '802.1ad' ? ETH_P_8021AD : ETH_P_8021Q;
      const ls = typeof v.linkState === 'number' ? v.linkState : LINK_STATES.indexOf(v.linkState ?? 'auto');
      return {
        adminMac: v.mac ?? '',
        vlan: v.vlan ?? 0,
        vlanQoS: v.qos ?? 0,
        vlanProto: proto,
        spoofchk: v.spoofchk ?? false,
        trust: v.trust ?? false,
        minTxRate: v.minTxRate ?? 0,
        maxTxRate: v.maxTxRate ?? v.txRate ?? 0,
        linkState: Math.max(ls, 0),
      };
    },
    /**
     * One knob in one RTM_SETLINK. *Beyond* the Go plugin: a driver that rejects the 802.1Q VLAN in its protocol
     * form (IFLA_VF_VLAN_LIST; #285/#392) gets the plain IFLA_VF_VLAN, which means the same thing.
     */
    set(pf, vf, c) {
      if (c.kind === 'vlan') {
        const vlan = { vlan: c.vlan, qos: c.qos };
        const proto = c.proto === ETH_P_8021AD ? '802.1ad' : '802.1Q';
        try {
          return void nl.setLink(pf, { vf: { vf, vlan: { ...vlan, proto } } });
        } catch (e) {
          if (proto !== '802.1Q' || !isKernelRefusal(e, 'EOPNOTSUPP', 'EINVAL')) throw e;
          return void nl.setLink(pf, { vf: { vf, vlanLegacy: vlan } });
        }
      }
      const changes =
        c.kind === 'mac'
          ? { mac: c.mac }
          : c.kind === 'rate'
            ? { rate: { minTxRate: c.min, maxTxRate: c.max } }
            : c.kind === 'spoofchk'
              ? { spoofchk: c.on }
              : c.kind === 'trust'
                ? { trust: c.on }
                : { linkState: LINK_STATES[c.state] ?? 'auto' };
      nl.setLink(pf, { vf: { vf, ...changes } });
    },
    pfMtu: (pf) => nl.getLink(pf).mtu,
  };
}

/** A netlink-ops NetlinkError with one of these errno names (by name: this module loads no netlink-ops code). */
function isKernelRefusal(e: unknown, ...codes: string[]): boolean {
  return e instanceof Error && e.name === 'NetlinkError' && 'code' in e && codes.includes(e.code as string);
}

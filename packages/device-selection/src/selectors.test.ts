import { type DeviceSelector, parseDevicePluginConfig } from '@sriov-ts/netconf-schema';
import { describe, expect, it } from 'vitest';
import { pci } from '../test/facts-fixture.js';
import type { AuxFacts } from './facts.js';
import { matchesSelector, selectorMismatch } from './selectors.js';

/** Selectors go through the real config parser, as in production. */
function sel(json: object, deviceType = 'netDevice'): DeviceSelector {
  const parsed = parseDevicePluginConfig(
    JSON.stringify({ resourceList: [{ resourceName: 'r', deviceType, selectors: [json] }] }),
  );
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.config.resources[0]!.selectors[0]!;
}

const vf = (i: number, over = {}) =>
  pci({ address: `0000:3b:02.${i}`, pfAddress: '0000:3b:00.0', vfIndex: i, pfNetdev: 'Ens1F0', ...over });

describe('selectors', () => {
  it('pfNames: case-insensitive name, # ranges, PFs never match', () => {
    const s = sel({ pfNames: ['ens1f0#0,2-3'] });
    expect([0, 1, 2, 3, 4].map((i) => matchesSelector(s, { pci: vf(i), aux: null }, 'netDevice'))).toEqual([
      true,
      false,
      true,
      true,
      false,
    ]);
    const pf = pci({ address: '0000:3b:00.0', netdevs: ['ens1f0'] });
    expect(matchesSelector(sel({ pfNames: ['ens1f0'] }), { pci: pf, aux: null }, 'netDevice')).toBe(false);
  });

  it('rootDevices by PF address with ranges; malformed range matches nothing', () => {
    expect(matchesSelector(sel({ rootDevices: ['0000:3b:00.0#1'] }), { pci: vf(1), aux: null }, 'netDevice')).toBe(
      true,
    );
    expect(matchesSelector(sel({ rootDevices: ['0000:3b:00.0#x'] }), { pci: vf(1), aux: null }, 'netDevice')).toBe(
      false,
    );
  });

  it('vendors are exact lower-case; keys are ANDed, values ORed', () => {
    const d = { pci: vf(0, { vendor: '15b3', driver: 'mlx5_core' }), aux: null };
    expect(matchesSelector(sel({ vendors: ['15B3'] }), d, 'netDevice')).toBe(false);
    expect(matchesSelector(sel({ vendors: ['8086', '15b3'], drivers: ['mlx5_core'] }), d, 'netDevice')).toBe(true);
    expect(matchesSelector(sel({ vendors: ['15b3'], drivers: ['iavf'] }), d, 'netDevice')).toBe(false);
  });

  it('acpiIndexes apply to netDevice only (ignored for accelerators, as in Go)', () => {
    const d = { pci: pci({ address: '0000:af:00.0', acpiIndex: '3', classBase: 0x12 }), aux: null };
    expect(matchesSelector(sel({ acpiIndexes: ['4'] }), d, 'netDevice')).toBe(false);
    expect(matchesSelector(sel({ acpiIndexes: ['3'] }), d, 'netDevice')).toBe(true);
    expect(matchesSelector({ acpiIndexes: ['4'] }, d, 'accelerator')).toBe(true);
  });

  it('isRdma needs RDMA devices; pKeys compare the default pkey; needVhostNet is not a filter', () => {
    const ib = { pci: vf(0, { linkType: 'infiniband', rdmaDevices: ['mlx5_0'], pKey: '0x7fff' }), aux: null };
    expect(matchesSelector(sel({ isRdma: true, linkTypes: ['infiniband'], pKeys: ['0x7fff'] }), ib, 'netDevice')).toBe(
      true,
    );
    expect(matchesSelector(sel({ isRdma: true }), { pci: vf(1), aux: null }, 'netDevice')).toBe(false);
    expect(matchesSelector(sel({ needVhostNet: true }), { pci: vf(1), aux: null }, 'netDevice')).toBe(true);
  });

  it('ddpProfiles and vdpaType match nothing (not supported here)', () => {
    expect(matchesSelector(sel({ ddpProfiles: ['GTP'] }), { pci: vf(0), aux: null }, 'netDevice')).toBe(false);
    expect(matchesSelector(sel({ vdpaType: 'vhost' }), { pci: vf(0), aux: null }, 'netDevice')).toBe(false);
  });

  it('auxNetDevice: auxTypes, pfNames on the parent netdev with sfnum ranges', () => {
    const aux: AuxFacts = {
      name: 'mlx5_core.sf.4',
      type: 'sf',
      sfnum: 4,
      netdevs: [],
      linkType: 'ether',
      rdmaDevices: [],
    };
    const parent = pci({ address: '0000:03:00.0', netdevs: ['p0'], driver: 'mlx5_core' });
    const s = sel({ auxTypes: ['sf'], pfNames: ['p0#2-5'] }, 'auxNetDevice');
    expect(matchesSelector(s, { pci: parent, aux }, 'auxNetDevice')).toBe(true);
    expect(matchesSelector(s, { pci: parent, aux: { ...aux, sfnum: 9 } }, 'auxNetDevice')).toBe(false);
  });

  it('selectorMismatch names the first key (in a fixed order) that rejects the device', () => {
    const d = { pci: vf(2, { driver: 'vfio-pci' }), aux: null };
    expect(selectorMismatch(sel({ vendors: ['15b3'], drivers: ['iavf'] }), d, 'netDevice')).toBe('vendors');
    expect(selectorMismatch(sel({ drivers: ['iavf'], pfNames: ['ens1f0#3'] }), d, 'netDevice')).toBe('drivers');
    expect(selectorMismatch(sel({ pfNames: ['ens1f0#3'] }), d, 'netDevice')).toBe('pfNames');
    expect(selectorMismatch(sel({ rootDevices: ['0000:3b:00.1'] }), d, 'netDevice')).toBe('rootDevices');
    expect(selectorMismatch(sel({ linkTypes: ['infiniband'] }), d, 'netDevice')).toBe('linkTypes');
    expect(selectorMismatch(sel({ isRdma: true }), d, 'netDevice')).toBe('isRdma');
    expect(selectorMismatch(sel({ ddpProfiles: ['GTP'] }), d, 'netDevice')).toBe('ddpProfiles');
    expect(selectorMismatch(sel({ pfNames: ['ens1f0#2'], drivers: ['vfio-pci'] }), d, 'netDevice')).toBeNull();
  });

  it('legacy netdevice selectors (requireNetdev) skip devices without a kernel netdev', () => {
    const s: DeviceSelector = { isRdma: false, needVhostNet: false, requireNetdev: true };
    expect(selectorMismatch(s, { pci: vf(0), aux: null }, 'netDevice')).toBe('requireNetdev');
    expect(selectorMismatch(s, { pci: vf(0, { netdevs: ['ens1f0v0'] }), aux: null }, 'netDevice')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { type AttachmentCache, CacheFormatError, fromGoJson, toGoJson } from './cache.js';

// A cache file as the Go plugin (v2.10 / master) writes it: merged PluginConf + SriovNetConf.
const goWritten = {
  cniVersion: '1.0.0',
  name: 'sriov-net',
  type: 'sriov',
  ipam: { type: 'host-local' },
  OrigVfState: {
    HostIFName: 'enp175s6',
    SpoofChk: true,
    Trust: false,
    AdminMAC: '00:00:00:00:00:00',
    EffectiveMAC: '8a:0c:3a:bd:fb:b5',
    Vlan: 0,
    VlanQoS: 0,
    VlanProto: 33024,
    MinTxRate: 0,
    MaxTxRate: 0,
    LinkState: 0,
    MTU: 1500,
  },
  Master: 'enp175s0f1',
  MAC: '',
  MTU: 1500,
  VFID: 0,
  vlan: 100,
  vlanQoS: 0,
  vlanProto: '802.1q',
  deviceID: '0000:af:06.0',
  min_tx_rate: null,
  max_tx_rate: null,
  spoofchk: 'off',
  trust: '',
  link_state: '',
  runtimeConfig: {},
  logLevel: 'info',
  logFile: '',
};

describe('Go cache compatibility', () => {
  it('reads a Go-written cache (capitalised keys)', () => {
    const c = fromGoJson(goWritten);
    expect(c).toMatchObject({
      deviceID: '0000:af:06.0',
      master: 'enp175s0f1',
      vfId: 0,
      mtu: 1500,
      ipamType: 'host-local',
      knobs: { vlan: 100, vlanQoS: 0, vlanProto: '802.1q', spoofchk: 'off' },
      orig: { hostIfName: 'enp175s6', spoofchk: true, effectiveMac: '8a:0c:3a:bd:fb:b5', vlanProto: 33024, mtu: 1500 },
    });
    expect(c.knobs.minTxRate).toBeUndefined();
    expect(c.knobs.trust).toBeUndefined(); // "" = not set
    expect(c.dpdkMode).toBeUndefined();
  });

  it('matches keys case-insensitively like encoding/json', () => {
    const c = fromGoJson({ DEVICEID: '0000:af:06.1', origvfstate: { hostifname: 'x' }, vfid: 3, master: 'p' });
    expect(c).toMatchObject({ deviceID: '0000:af:06.1', vfId: 3, master: 'p', orig: { hostIfName: 'x' } });
  });

  it('writes exactly the Go key set, plus dpdkMode, and round-trips', () => {
    const c = fromGoJson(goWritten);
    const written = toGoJson({ ...c, dpdkMode: false });
    const { dpdkMode, ...rest } = written;
    expect(dpdkMode).toBe(false);
    expect(rest).toEqual(goWritten);
    expect(fromGoJson(JSON.parse(JSON.stringify(written)))).toEqual({
      ...c,
      dpdkMode: false,
    } satisfies AttachmentCache);
  });

  it('rejects a cache without deviceID or with wrong types', () => {
    expect(() => fromGoJson({ ...goWritten, deviceID: '' })).toThrow(CacheFormatError);
    expect(() => fromGoJson({ ...goWritten, VFID: 'x' })).toThrow(/VFID/);
    expect(() => fromGoJson([])).toThrow(CacheFormatError);
  });
});

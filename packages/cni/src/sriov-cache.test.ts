import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GoJsonError } from './go-json.js';
import {
  sriovCacheFromGoJson as fromGoJson,
  readSriovCache,
  type SriovCache,
  sriovCacheToGoJson as toGoJson,
  writeSriovCache,
  zeroOrigVfState,
} from './sriov-cache.js';
import { VfStateDir } from './vf-state-dir.js';

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
    } satisfies SriovCache);
  });

  it('rejects a cache without deviceID or with wrong types', () => {
    expect(() => fromGoJson({ ...goWritten, deviceID: '' })).toThrow(GoJsonError);
    expect(() => fromGoJson({ ...goWritten, VFID: 'x' })).toThrow(/VFID/);
    expect(() => fromGoJson([])).toThrow(GoJsonError);
  });

  it('Go zero values for a state nobody read', () => {
    expect(zeroOrigVfState()).toEqual({
      hostIfName: '',
      spoofchk: false,
      trust: false,
      adminMac: '',
      effectiveMac: '',
      vlan: 0,
      vlanQoS: 0,
      vlanProto: 0,
      minTxRate: 0,
      maxTxRate: 0,
      linkState: 0,
      mtu: 0,
    });
  });

  it('stores caches and crash journals as compact Go JSON in the state directory (0600)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sriov-cache-'));
    try {
      const state = new VfStateDir(dir);
      const c = fromGoJson(goWritten);
      expect(readSriovCache(state, 'cache', 'c1-net1')).toBeUndefined();
      writeSriovCache(state, 'cache', 'c1-net1', c);
      writeSriovCache(state, 'pending', 'c1-net1', { ...c, dpdkMode: true });
      expect(readFileSync(join(dir, 'c1-net1'), 'utf8')).toBe(JSON.stringify(toGoJson(c)));
      expect(statSync(join(dir, 'c1-net1')).mode & 0o777).toBe(0o600);
      expect(readSriovCache(state, 'cache', 'c1-net1')).toEqual(c);
      expect(readSriovCache(state, 'pending', 'c1-net1')).toEqual({ ...c, dpdkMode: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { describe, expect, it } from 'vitest';
import {
  cniArgsIps,
  cniArgsOf,
  deviceIdOf,
  effectiveMac,
  gcAttachmentsOf,
  runtimeConfigDeviceId,
  runtimeConfigInfinibandGuid,
  runtimeConfigIps,
  runtimeConfigMac,
  runtimeConfigOf,
} from './netconf.js';

describe('runtimeConfig', () => {
  const conf = {
    runtimeConfig: {
      mac: 'C2:11:22:33:44:55',
      ips: ['10.10.0.1/24', 3, '3ffe::2'],
      deviceID: '0000:04:00.5',
      infinibandGUID: 'c2:11:22:33:44:55:66:77',
    },
  };
  it('reads the capability values', () => {
    expect(runtimeConfigMac(conf)).toBe('C2:11:22:33:44:55');
    expect(runtimeConfigIps(conf)).toStrictEqual(['10.10.0.1/24', '3ffe::2']);
    expect(runtimeConfigDeviceId(conf)).toBe('0000:04:00.5');
    expect(runtimeConfigInfinibandGuid(conf)).toBe('c2:11:22:33:44:55:66:77');
  });
  it('tolerates absence and wrong types', () => {
    for (const c of [{}, { runtimeConfig: null }, { runtimeConfig: [] }, { runtimeConfig: 'x' }]) {
      expect(runtimeConfigOf(c)).toStrictEqual({});
      expect(runtimeConfigMac(c)).toBeUndefined();
      expect(runtimeConfigIps(c)).toStrictEqual([]);
    }
    expect(runtimeConfigMac({ runtimeConfig: { mac: '' } })).toBeUndefined();
    expect(runtimeConfigIps({ runtimeConfig: { ips: 'x' } })).toStrictEqual([]);
  });
});

describe('args.cni', () => {
  it('reads args.cni and its ips', () => {
    const conf = { args: { cni: { ips: ['10.0.0.5/24'], guid: 'x' } } };
    expect(cniArgsOf(conf)).toStrictEqual({ ips: ['10.0.0.5/24'], guid: 'x' });
    expect(cniArgsIps(conf)).toStrictEqual(['10.0.0.5/24']);
    expect(cniArgsOf({ args: { cni: 5 } })).toStrictEqual({});
    expect(cniArgsOf({ args: 'x' })).toStrictEqual({});
  });
});

describe('deviceIdOf', () => {
  it('prefers top-level deviceID, then runtimeConfig.deviceID, then pciBusID', () => {
    expect(deviceIdOf({ deviceID: 'a', runtimeConfig: { deviceID: 'b' }, pciBusID: 'c' })).toBe('a');
    expect(deviceIdOf({ deviceID: '', runtimeConfig: { deviceID: 'b' }, pciBusID: 'c' })).toBe('b');
    expect(deviceIdOf({ pciBusID: 'c' })).toBe('c');
    expect(deviceIdOf({ deviceID: 5 })).toBeUndefined();
  });
});

describe('effectiveMac', () => {
  it('runtimeConfig.mac > CNI_ARGS MAC > config mac, lower-cased', () => {
    const all = { runtimeConfig: { mac: 'AA:00:00:00:00:01' }, mac: 'CC:00:00:00:00:03' };
    expect(effectiveMac(all, 'BB:00:00:00:00:02')).toBe('aa:00:00:00:00:01');
    expect(effectiveMac({ mac: 'CC:00:00:00:00:03' }, 'BB:00:00:00:00:02')).toBe('bb:00:00:00:00:02');
    expect(effectiveMac({ mac: 'CC:00:00:00:00:03' }, '')).toBe('cc:00:00:00:00:03');
    expect(effectiveMac({})).toBeUndefined();
  });
});

describe('gcAttachmentsOf', () => {
  it('prefers cni.dev/valid-attachments and falls back to cni.dev/attachments', () => {
    const a = [{ containerID: 'c', ifname: 'net1', extra: 1 }];
    expect(gcAttachmentsOf({ 'cni.dev/attachments': a })).toStrictEqual({
      attachments: [{ containerID: 'c', ifname: 'net1' }],
      present: true,
    });
    expect(gcAttachmentsOf({})).toStrictEqual({ attachments: [], present: false });
  });
});

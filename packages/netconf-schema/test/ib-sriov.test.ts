import { describe, expect, it } from 'vitest';
import { checkIbKubernetesGuid, type IbSriovNetConf, isValidGuid, parseIbSriovNetConf } from '../src/index.js';

const base = { cniVersion: '1.0.0', name: 'ib-net', type: 'ib-sriov', deviceID: '0000:3b:00.2' };
const GUID = 'c2:11:22:33:44:55:66:77';

function ok(input: unknown): { config: IbSriovNetConf; warnings: readonly string[] } {
  const r = parseIbSriovNetConf(input);
  if (!r.ok) throw new Error(`expected success, got ${r.error.message}`);
  return r;
}
function err(input: unknown) {
  const r = parseIbSriovNetConf(input);
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('ib-sriov netconf', () => {
  it('parses the documented fields', () => {
    const c = ok({
      ...base,
      pkey: '0x00FF',
      link_state: 'enable',
      rdmaIsolation: true,
      ibKubernetesEnabled: false,
      vfioPciMode: false,
      ipam: { type: 'host-local', subnet: '10.56.0.0/16' },
    }).config;
    expect(c).toEqual({
      cniVersion: '1.0.0',
      name: 'ib-net',
      type: 'ib-sriov',
      deviceID: '0000:3b:00.2',
      pkey: '0x00FF',
      linkState: 'enable',
      rdmaIsolation: true,
      ibKubernetes: { enabled: false, configured: false },
      vfioPciMode: false,
      ipam: { type: 'host-local', config: { type: 'host-local', subnet: '10.56.0.0/16' } },
      cniArgs: {},
      capabilities: {},
    });
  });

  it('GUID sources: runtimeConfig.infinibandGUID > args.cni.guid; top-level guid ignored with a warning', () => {
    const both = ok({
      ...base,
      guid: '11:11:11:11:11:11:11:11',
      runtimeConfig: { infinibandGUID: GUID },
      args: { cni: { guid: '22:22:22:22:22:22:22:22' } },
    });
    expect(both.config.guid).toEqual({ value: GUID, source: 'runtimeConfig' });
    expect(both.warnings).toEqual([
      'top-level "guid" is ignored (as by the Go plugin): set runtimeConfig.infinibandGUID or args.cni.guid',
    ]);
    expect(ok({ ...base, args: { cni: { guid: GUID } } }).config.guid).toEqual({ value: GUID, source: 'args' });
    expect(ok({ ...base, GUID: GUID }).config.guid).toBeUndefined();
    expect(ok({ ...base, RuntimeConfig: { INFINIBANDGUID: GUID } }).config.guid?.source).toBe('runtimeConfig');
  });

  it('GUID validation: eight colon-separated octets, not all zero; all-ones accepted', () => {
    expect(err({ ...base, args: { cni: { guid: '00:00:00:00:00:00:00:00' } } })).toEqual({
      code: 7,
      message: 'infiniBand SRI-OV CNI failed to configure VF "invalid guid 00:00:00:00:00:00:00:00"',
      path: 'args.cni.guid',
    });
    expect(err({ ...base, runtimeConfig: { infinibandGUID: 'c2-11-22-33-44-55-66-77' } }).path).toBe(
      'runtimeConfig.infinibandGUID',
    );
    expect(err({ ...base, runtimeConfig: { infinibandGUID: 'c211223344556677' } }).message).toBe(
      'infiniBand SRI-OV CNI failed to configure VF "invalid guid c211223344556677"',
    );
    expect(ok({ ...base, args: { cni: { guid: 'FF:FF:FF:FF:FF:FF:FF:FF' } } }).config.guid?.value).toBe(
      'FF:FF:FF:FF:FF:FF:FF:FF',
    );
    expect(isValidGuid('Aa:bB:00:00:00:00:00:01')).toBe(true);
    expect(isValidGuid('aa:bb:cc:dd:ee:ff:00')).toBe(false);
  });

  it('deviceID is required', () => {
    expect(err({ name: 'x' })).toEqual({ code: 7, message: 'deviceID is required', path: 'deviceID' });
  });

  it('link_state: invalid values fail at load', () => {
    expect(err({ ...base, link_state: 'on' }).message).toBe(
      'infiniBand SRI-OV CNI failed to load netconf: invalid link_state value: on',
    );
  });

  it('ibKubernetesEnabled gate: args.cni["mellanox.infiniband.app"] must be "configured", checked before deviceID', () => {
    const gateMsg =
      'infiniBand SRIOV-CNI failed, InfiniBand status "mellanox.infiniband.app" is not "configured" please check mellanox ib-kubernetes';
    expect(err({ name: 'x', ibKubernetesEnabled: true }).message).toBe(gateMsg);
    expect(
      err({ ...base, ibKubernetesEnabled: true, args: { cni: { 'mellanox.infiniband.app': 'pending' } } }),
    ).toEqual({
      code: 7,
      message: gateMsg,
      path: 'args.cni.mellanox.infiniband.app',
    });
    const c = ok({
      ...base,
      ibKubernetesEnabled: true,
      args: { cni: { 'mellanox.infiniband.app': 'configured', guid: GUID } },
    }).config;
    expect(c.ibKubernetes).toEqual({ enabled: true, appStatus: 'configured', configured: true });
    // the gate data is exposed even when the gate is off
    expect(ok({ ...base, args: { cni: { 'mellanox.infiniband.app': 'x' } } }).config.ibKubernetes).toEqual({
      enabled: false,
      appStatus: 'x',
      configured: false,
    });
  });

  it('checkIbKubernetesGuid: a VF needs a GUID when the gate is on; PFs are exempt', () => {
    const gated = ok({
      ...base,
      ibKubernetesEnabled: true,
      args: { cni: { 'mellanox.infiniband.app': 'configured' } },
    }).config;
    expect(checkIbKubernetesGuid(gated, true)).toBe(
      'infiniband SRIOV-CNI failed, Unexpected error. GUID must be provided by ib-kubernetes',
    );
    expect(checkIbKubernetesGuid(gated, false)).toBeNull();
    expect(checkIbKubernetesGuid(ok(base).config, true)).toBeNull();
  });

  it('args.cni is a map[string]string: a non-string value fails decoding (Go), null becomes ""', () => {
    expect(err({ ...base, args: { cni: { 'mellanox.infiniband.app': true } } }).message).toBe(
      'infiniBand SRI-OV CNI failed to load netconf: failed to load netconf: json: cannot unmarshal bool into Go struct field .args.cni.mellanox.infiniband.app of type string',
    );
    expect(ok({ ...base, args: { cni: { foo: null } } }).config.cniArgs).toEqual({ foo: '' });
  });

  it('bools must be JSON booleans', () => {
    expect(err({ ...base, rdmaIsolation: 'true' }).message).toBe(
      'infiniBand SRI-OV CNI failed to load netconf: failed to load netconf: json: cannot unmarshal string into Go struct field NetConf.rdmaIsolation of type bool',
    );
  });

  it('ipam dhcp is kept with a warning (VFIO mode never runs IPAM)', () => {
    const r = ok({ ...base, ipam: { type: 'dhcp' } });
    expect(r.config.ipam?.type).toBe('dhcp');
    expect(r.warnings).toEqual(['ipam type dhcp is not supported (rejected when IPAM would run)']);
  });

  it('internal keys are ignored with a warning', () => {
    expect(ok({ ...base, HostIFGUID: 'x', master: 'ib0' }).warnings).toEqual([
      'ignored plugin-internal key "HostIFGUID" in the netconf (the plugin fills it itself)',
      'ignored plugin-internal key "Master" in the netconf (the plugin fills it itself)',
    ]);
  });

  it('decode failures are code 6', () => {
    expect(err('nope').code).toBe(6);
    expect(err(42).code).toBe(6);
  });
});

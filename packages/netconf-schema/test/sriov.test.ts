import { describe, expect, it } from 'vitest';
import { parseSriovNetConf, type SriovNetConf } from '../src/index.js';

const base = { cniVersion: '1.0.0', name: 'sriov-net', type: 'sriov', deviceID: '0000:af:06.0' };

function ok(input: unknown, cniArgs?: Record<string, string>): { config: SriovNetConf; warnings: readonly string[] } {
  const r = parseSriovNetConf(input, cniArgs ? { cniArgs } : {});
  if (!r.ok) throw new Error(`expected success, got ${r.error.message}`);
  return r;
}

function err(input: unknown, cniArgs?: Record<string, string>) {
  const r = parseSriovNetConf(input, cniArgs ? { cniArgs } : {});
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

const LOAD = 'SRIOV-CNI failed to load netconf: LoadConf(): ';

describe('sriov netconf: decoding like Go encoding/json', () => {
  it('accepts bytes, text and decoded values alike', () => {
    const text = JSON.stringify({ ...base, vlan: 10 });
    const fromText = ok(text).config;
    expect(ok(new TextEncoder().encode(text)).config).toEqual(fromText);
    expect(ok(JSON.parse(text)).config).toEqual(fromText);
    expect(fromText.vlan).toEqual({ id: 10, qos: 0, proto: '802.1q', ethertype: 0x8100 });
  });

  it('invalid JSON is a decoding failure (code 6), as in skel', () => {
    const e = err('{"deviceID": ');
    expect(e.code).toBe(6);
    expect(e.message).toMatch(/^decoding version from network config: /);
  });

  it('a non-object document is a decoding failure; null behaves like {}', () => {
    expect(err('[1,2]').message).toBe(
      'decoding version from network config: json: cannot unmarshal array into Go value of type struct { CNIVersion string "json:\\"cniVersion\\"" }',
    );
    expect(err('"x"').code).toBe(6);
    expect(err('null').message).toBe(`${LOAD}VF pci addr is required`);
  });

  it('a non-string cniVersion fails in skel (code 6)', () => {
    const e = err({ ...base, cniVersion: 1 });
    expect(e).toEqual({
      code: 6,
      message:
        'decoding version from network config: json: cannot unmarshal number into Go struct field .cniVersion of type string',
      path: 'cniVersion',
    });
  });

  it('keys match case-insensitively, including the two non-ASCII runes Go folds (ſ, K)', () => {
    const c = ok({
      DEVICEID: '0000:af:06.0',
      Vlan: 5,
      VLANQOS: 3,
      VlanPROTO: '802.1AD',
      ſpoofchk: 'on',
      'lin\u212a_state': 'auto',
    }).config;
    expect(c.device).toEqual({ kind: 'pci', deviceID: '0000:af:06.0' });
    expect(c.vlan).toEqual({ id: 5, qos: 3, proto: '802.1ad', ethertype: 0x88a8 });
    expect(c.spoofchk).toBe(true);
    expect(c.linkState).toBe('auto');
  });

  it('ignores unknown keys and keeps the last of keys that fold together', () => {
    const c = ok({ ...base, bogus: { deep: [1] }, vlan: 1, VLAN: 7 }).config;
    expect(c.vlan?.id).toBe(7);
  });

  it('null clears a pointer field (vlan) and is a no-op for a plain field (mac)', () => {
    const c = ok({ ...base, vlan: 3, VLAN: null, mac: '02:00:00:00:00:01', MAC: null }).config;
    expect(c.vlan).toBeUndefined();
    expect(c.mac?.address).toBe('02:00:00:00:00:01');
  });

  it('reports a wrong JSON type with the Go UnmarshalTypeError text, first in document order', () => {
    expect(err({ ...base, trust: true, vlan: 'x' })).toEqual({
      code: 7,
      message:
        'SetLogging(): failed to load netconf: json: cannot unmarshal bool into Go struct field NetConf.trust of type string',
      path: 'trust',
    });
    expect(err({ ...base, vlan: 1.5 }).message).toBe(
      'SetLogging(): failed to load netconf: json: cannot unmarshal number 1.5 into Go struct field NetConf.vlan of type int',
    );
    // beyond int64: Go prints the literal, which here reads the same
    expect(err('{"deviceID":"0000:af:06.0","max_tx_rate":10000000000000000000}').message).toBe(
      'SetLogging(): failed to load netconf: json: cannot unmarshal number 10000000000000000000 into Go struct field NetConf.max_tx_rate of type int',
    );
    expect(err({ ...base, ipam: { type: 5 } }).message).toBe(
      'SetLogging(): failed to load netconf: json: cannot unmarshal number into Go struct field IPAM.ipam.type of type string',
    );
    expect(err({ ...base, ipam: 'host-local' }).message).toBe(
      'SetLogging(): failed to load netconf: json: cannot unmarshal string into Go struct field NetConf.ipam of type types.IPAM',
    );
  });

  it('warns about plugin-internal keys and does not use them', () => {
    const r = ok({ ...base, OrigVfState: { HostIFName: 'evil' }, vfid: 3, MTU: 9000 });
    expect(r.warnings).toEqual([
      'ignored plugin-internal key "OrigVfState" in the netconf (the plugin fills it itself)',
      'ignored plugin-internal key "VFID" in the netconf (the plugin fills it itself)',
      'ignored plugin-internal key "MTU" in the netconf (the plugin fills it itself)',
    ]);
  });
});

describe('sriov netconf: the device', () => {
  it('deviceID is required (exact Go message)', () => {
    expect(err({ name: 'n' })).toEqual({ code: 7, message: `${LOAD}VF pci addr is required`, path: 'deviceID' });
    expect(err({ deviceID: '' }).message).toBe(`${LOAD}VF pci addr is required`);
  });

  it('rejects a deviceID that is not a PCI address before it reaches a sysfs path', () => {
    expect(err({ deviceID: '../../../etc' }).message).toBe(
      `${LOAD}failed to get VF information: "../../../etc is not a PCI address in DDDD:BB:DD.F form"`,
    );
  });

  it('legacy seed: master picks a VF of the PF; CNI_ARGS VF overrides config vf', () => {
    expect(ok({ name: 'n', master: 'ens1f0' }).config.device).toEqual({ kind: 'legacy-vf', master: 'ens1f0' });
    expect(ok({ master: 'ens1f0', vf: 2 }).config.device).toEqual({
      kind: 'legacy-vf',
      master: 'ens1f0',
      vfIndex: 2,
      vfIndexSource: 'config',
    });
    expect(ok({ master: 'ens1f0', vf: 2 }, { VF: '0', IgnoreUnknown: '1' }).config.device).toEqual({
      kind: 'legacy-vf',
      master: 'ens1f0',
      vfIndex: 0,
      vfIndexSource: 'cniArgs',
    });
  });

  it('legacy seed: pfOnly moves the PF', () => {
    const r = ok({ master: 'ens1f0', pfOnly: true }, { VF: '1' });
    expect(r.config.device).toEqual({ kind: 'legacy-pf', master: 'ens1f0' });
    expect(r.warnings).toContain('VF index ignored: "pfOnly" moves the PF');
  });

  it('legacy seed: a bad CNI_ARGS VF fails like types.LoadArgs', () => {
    expect(err({ master: 'ens1f0' }, { VF: 'x' })).toEqual({
      code: 7,
      message:
        'SRIOV-CNI failed to parse args: ARGS: error parsing value of pair "VF=x": Int unmarshal error: strconv.Atoi: parsing "x": invalid syntax',
      path: 'CNI_ARGS.VF',
    });
    expect(err({ master: 'ens1f0' }, { VF: '-1' }).message).toBe(
      'SRIOV-CNI failed to parse args: ARGS: invalid VF index -1: must not be negative',
    );
  });

  it('legacy seed: master must be an interface name', () => {
    expect(err({ master: 'a/b' }).message).toBe(`${LOAD}invalid "master" interface name "a/b"`);
    expect(err({ master: 'x'.repeat(16) }).path).toBe('master');
  });

  it('deviceID wins over master; legacy-only inputs are warned about', () => {
    const r = ok({ ...base, master: 'ens1f0', pfOnly: true, vf: 1 }, { VF: '2' });
    expect(r.config.device).toEqual({ kind: 'pci', deviceID: '0000:af:06.0' });
    expect(r.warnings).toEqual([
      '"master" (ens1f0) ignored: "deviceID" selects the VF',
      '"pfOnly" ignored: it applies only to the legacy "master" form',
      '"vf" ignored: it applies only to the legacy "master" form',
      'CNI_ARGS VF ignored: "deviceID" selects the VF',
    ]);
  });
});

describe('sriov netconf: the 7 VLAN rules with the Go messages', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['vlan range', { vlan: 4095 }, 'vlan id 4095 invalid: value must be in the range 0-4094'],
    ['negative vlan', { vlan: -1 }, 'vlan id -1 invalid: value must be in the range 0-4094'],
    ['QoS without vlan', { vlanQoS: 1 }, 'vlan id must be configured to set vlan QoS to a non-nil value'],
    ['proto without vlan', { vlanProto: '802.1q' }, 'vlan id must be configured to set vlan proto to a non-nil value'],
    ['QoS range', { vlan: 100, vlanQoS: 8 }, 'vlan QoS PCP 8 invalid: value must be in the range 0-7'],
    [
      'QoS needs non-zero vlan',
      { vlan: 0, vlanQoS: 1 },
      'non-zero vlan id must be configured to set vlan QoS to a non-zero value',
    ],
    [
      'proto value (printed lower-cased)',
      { vlan: 100, vlanProto: '802.1X' },
      "vlan Proto 802.1x invalid: value must be '802.1Q' or '802.1ad'",
    ],
    [
      '802.1ad needs non-zero vlan',
      { vlan: 0, vlanProto: '802.1ad' },
      'non-zero vlan id must be configured to set vlan proto 802.1ad',
    ],
  ];
  for (const [label, conf, message] of cases) {
    it(label, () => {
      expect(err({ ...base, ...conf }).message).toBe(LOAD + message);
    });
  }

  it('applies the rules in the Go order', () => {
    expect(err({ ...base, vlan: 5000, vlanQoS: 9 }).message).toBe(
      `${LOAD}vlan id 5000 invalid: value must be in the range 0-4094`,
    );
    expect(err({ ...base, vlanQoS: 9, vlanProto: 'x' }).message).toBe(
      `${LOAD}vlan id must be configured to set vlan QoS to a non-nil value`,
    );
    expect(err({ ...base, vlan: 0, vlanQoS: 1, vlanProto: 'x' }).message).toBe(
      `${LOAD}non-zero vlan id must be configured to set vlan QoS to a non-zero value`,
    );
    expect(err({ ...base, vlan: 5000, link_state: 'up' }).path).toBe('vlan');
  });

  it('vlan absent = untouched; vlan 0 = clear with defaults', () => {
    expect(ok(base).config.vlan).toBeUndefined();
    expect(ok({ ...base, vlan: 0 }).config.vlan).toEqual({ id: 0, qos: 0, proto: '802.1q', ethertype: 0x8100 });
    expect(ok({ ...base, vlan: 4094, vlanQoS: 7, vlanProto: '802.1Q' }).config.vlan).toEqual({
      id: 4094,
      qos: 7,
      proto: '802.1q',
      ethertype: 0x8100,
    });
  });
});

describe('sriov netconf: other attributes', () => {
  it('link_state must be auto, enable or disable (case-sensitive)', () => {
    expect(err({ ...base, link_state: 'Enable' })).toEqual({
      code: 7,
      message: `${LOAD}invalid link_state value: Enable`,
      path: 'link_state',
    });
    expect(ok({ ...base, link_state: 'disable' }).config.linkState).toBe('disable');
    expect(ok({ ...base, link_state: '' }).config.linkState).toBeUndefined();
  });

  it('spoofchk/trust: "on" enables, any other non-empty value disables, "" leaves alone', () => {
    const r = ok({ ...base, spoofchk: 'off', trust: 'yes' });
    expect(r.config.spoofchk).toBe(false);
    expect(r.config.trust).toBe(false);
    expect(r.warnings).toEqual(['trust "yes" is not "on" or "off": treated as off']);
    expect(ok({ ...base, spoofchk: 'ON' }).config.spoofchk).toBe(false);
    expect(ok({ ...base, trust: 'on' }).config.trust).toBe(true);
    const untouched = ok({ ...base, spoofchk: '' }).config;
    expect('spoofchk' in untouched).toBe(false);
    expect('trust' in untouched).toBe(false);
  });

  it('rates: either key writes both, the absent one as 0; no validation, only warnings', () => {
    expect(ok({ ...base, max_tx_rate: 100 }).config.txRate).toEqual({ minMbps: 0, maxMbps: 100 });
    expect(ok(base).config.txRate).toBeUndefined();
    const r = ok({ ...base, min_tx_rate: 200, max_tx_rate: 100 });
    expect(r.config.txRate).toEqual({ minMbps: 200, maxMbps: 100 });
    expect(r.warnings).toEqual(['min_tx_rate 200 is above max_tx_rate 100; most drivers reject this']);
  });

  it('logLevel is case-insensitive, unknown falls back to info; logFile is kept', () => {
    expect(ok({ ...base, logLevel: 'DEBUG', logFile: '/var/log/sriov.log' }).config.logging).toEqual({
      level: 'debug',
      file: '/var/log/sriov.log',
    });
    const r = ok({ ...base, logLevel: 'chatty' });
    expect(r.config.logging).toEqual({ level: 'info' });
    expect(r.warnings).toEqual(['unknown logLevel "chatty": using info']);
  });

  it('ipam: passthrough object with a type; absent or typeless = L2 mode', () => {
    const ipam = { type: 'host-local', subnet: '10.1.0.0/24', routes: [{ dst: '0.0.0.0/0' }] };
    const c = ok({ ...base, ipam }).config;
    expect(c.ipam).toEqual({ type: 'host-local', config: ipam });
    expect(c.l2Mode).toBe(false);
    expect(ok({ ...base, IPAM: { TYPE: 'static' } }).config.ipam?.type).toBe('static');
    expect(ok(base).config.l2Mode).toBe(true);
    const typeless = ok({ ...base, ipam: { subnet: '10.0.0.0/8' } });
    expect(typeless.config.l2Mode).toBe(true);
    expect(typeless.warnings).toEqual(['"ipam" has no "type": L2 mode, the ipam section is ignored']);
  });
});

describe('sriov netconf: MAC and IP precedence (runtimeConfig > CNI_ARGS > config)', () => {
  const conf = { ...base, mac: 'AA:AA:AA:AA:AA:01', runtimeConfig: { mac: 'AA:AA:AA:AA:AA:03' } };
  it('runtimeConfig.mac wins and is lower-cased', () => {
    expect(ok(conf, { MAC: 'aa:aa:aa:aa:aa:02' }).config.mac).toEqual({
      address: 'aa:aa:aa:aa:aa:03',
      raw: 'aa:aa:aa:aa:aa:03',
      octets: [0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 3],
      source: 'runtimeConfig',
    });
  });
  it('then CNI_ARGS MAC (exact key), then the config', () => {
    const noRc = { ...base, mac: 'AA:AA:AA:AA:AA:01' };
    expect(ok(noRc, { MAC: 'AA-AA-AA-AA-AA-02' }).config.mac).toMatchObject({
      address: 'aa:aa:aa:aa:aa:02',
      raw: 'aa-aa-aa-aa-aa-02',
      source: 'cniArgs',
    });
    expect(ok(noRc, { mac: 'aa:aa:aa:aa:aa:09' }).config.mac).toMatchObject({
      source: 'config',
      address: 'aa:aa:aa:aa:aa:01',
    });
    expect(ok(noRc, { MAC: '' }).config.mac?.source).toBe('config');
    expect(ok(base).config.mac).toBeUndefined();
  });
  it('an unparsable MAC fails with the Go text', () => {
    expect(err({ ...base, mac: 'nope' })).toEqual({
      code: 7,
      message: 'SRIOV-CNI failed to configure VF "failed to parse MAC address nope: address nope: invalid MAC address"',
      path: 'mac',
    });
    expect(err(base, { MAC: 'zz:zz:zz:zz:zz:zz' }).path).toBe('CNI_ARGS.MAC');
  });
  it('requested IPs: runtimeConfig.ips > args.cni.ips > CNI_ARGS IP', () => {
    const ipam = { type: 'static' };
    expect(
      ok(
        { ...base, ipam, runtimeConfig: { ips: ['10.0.0.1/24'] }, args: { cni: { ips: ['10.0.0.2/24'] } } },
        { IP: '10.0.0.3' },
      ).config.requestedIPs,
    ).toEqual({ ips: ['10.0.0.1/24'], source: 'runtimeConfig' });
    expect(
      ok({ ...base, ipam, args: { cni: { ips: ['10.0.0.2/24'] } } }, { IP: '10.0.0.3' }).config.requestedIPs,
    ).toEqual({
      ips: ['10.0.0.2/24'],
      source: 'args',
    });
    expect(ok({ ...base, ipam }, { IP: '10.0.0.3,fd00::3' }).config.requestedIPs).toEqual({
      ips: ['10.0.0.3', 'fd00::3'],
      source: 'cniArgs',
    });
  });
  it('requested IPs in L2 mode are reported as ignored', () => {
    const r = ok(base, { IP: '10.0.0.3' });
    expect(r.config.l2Mode).toBe(true);
    expect(r.warnings).toEqual(['static IPs were requested but no ipam is configured (L2 mode): ignored']);
  });
});

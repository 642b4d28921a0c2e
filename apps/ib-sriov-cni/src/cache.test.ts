import { describe, expect, it } from 'vitest';
import { fromGoJson, type IbCache, toGoJson } from './cache.js';

const record: IbCache = {
  cniVersion: '1.0.0',
  name: 'ib-net',
  type: 'ib-sriov',
  capabilities: { infinibandGUID: true },
  ipamType: 'host-local',
  master: 'ibp4s0f0',
  deviceID: '0000:04:00.7',
  vfId: 5,
  hostIfName: 'ibp4s0f0v5',
  hostIfGuid: '11:22:33:00:00:aa:bb:cc',
  contIfName: 'net1',
  pkey: '0x5',
  linkState: 'enable',
  rdmaIsolation: true,
  ibKubernetesEnabled: true,
  vfioPciMode: false,
  rdma: { deviceID: '0000:04:00.7', sandboxRdmaDevName: 'mlx5_7', containerRdmaDevName: 'mlx5_7' },
  runtimeGuid: '02:00:00:00:00:00:00:0a',
  cniArgs: { guid: '02:00:00:00:00:00:00:0a', 'mellanox.infiniband.app': 'configured', pkey: '0x5' },
  netns: '/var/run/netns/pod',
};

describe('the Go cache format', () => {
  it('writes the Go key names (internal fields under their Go names) and reads them back', () => {
    const json = toGoJson(record);
    expect(Object.keys(json)).toEqual([
      'cniVersion',
      'name',
      'type',
      'capabilities',
      'ipam',
      'Master',
      'deviceID',
      'VFID',
      'HostIFNames',
      'HostIFGUID',
      'ContIFNames',
      'pkey',
      'link_state',
      'rdmaIsolation',
      'ibKubernetesEnabled',
      'RdmaNetState',
      'runtimeConfig',
      'args',
      'netns',
    ]);
    expect(json.RdmaNetState).toEqual({ version: '', ...record.rdma });
    expect(fromGoJson(JSON.parse(JSON.stringify(json)))).toEqual(record);
  });

  it("reads the reference's example of a Go-written file", () => {
    const go = JSON.parse(
      '{"cniVersion":"1.0.0","name":"ib-net","type":"ib-sriov","ipam":{"type":"host-local"},"Master":"ibp4s0f0","deviceID":"0000:04:00.7","VFID":5,"HostIFNames":"ibp4s0f0v5","HostIFGUID":"11:22:33:00:00:aa:bb:cc","ContIFNames":"net1","pkey":"0x5","link_state":"enable","rdmaIsolation":true,"ibKubernetesEnabled":true,"RdmaNetState":{"version":"","deviceID":"0000:04:00.7","sandboxRdmaDevName":"mlx5_7","containerRdmaDevName":"mlx5_7"},"runtimeConfig":{"infinibandGUID":"02:00:00:00:00:00:00:0a"},"args":{"cni":{"guid":"02:00:00:00:00:00:00:0a","mellanox.infiniband.app":"configured","pkey":"0x5"}}}',
    );
    const { capabilities: _, netns: __, ...withoutOurs } = record;
    expect(fromGoJson(go)).toEqual(withoutOurs);
  });

  it("fills Go's zero values for missing fields and refuses what is not an object", () => {
    expect(fromGoJson({ deviceID: '0000:04:00.7', args: { cni: null } })).toMatchObject({
      deviceID: '0000:04:00.7',
      vfId: 0,
      hostIfGuid: '',
      ipamType: '',
      rdmaIsolation: false,
      cniArgs: {},
    });
    for (const bad of [null, [], 'x', 1]) expect(() => fromGoJson(bad)).toThrow('cache is not a JSON object');
  });
});

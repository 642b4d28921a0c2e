// The plugin's own handlers, in-process (the skeleton's dispatch), over the recording PF/IPoIB layer
// (recording-ib.ts) for the two things this kernel lacks: a PF that accepts VF GUIDs / link state, and RDMA
// netlink. Everything else is real: the lab's fake sysfs (read by sysfs-pci, rebind writes settled into it), the
// macvlan stand-ins moved/renamed in real pod netns, host-local IPAM, the state files, the flock.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { dispatch } from '@sriov-ts/cni';
import { createLab, type Lab, MLX5_CX6_IB } from '@sriov-ts/lab';
import { attributeMap } from '@sriov-ts/netlink-ops';
import { executable, isRoot, missingPrerequisites } from '@sriov-ts/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ibSriovHandlers } from '../src/handlers.js';
import { nodeOps } from '../src/node-ops.js';
import type { IbOps } from '../src/ops.js';
import { linkIn, randomId } from './harness.js';
import { type RecordingIb, recordingIb } from './recording-ib.js';

const reason = missingPrerequisites('ib-sriov over the recording PF/IPoIB layer', [
  isRoot(),
  executable('ip'),
  executable('/usr/lib/cni/host-local'),
]);

const NET = 'ibrec';
const GUID_A = '02:00:00:00:00:00:00:0a';
const GUID_B = '02:00:00:00:00:00:00:0b';
const ALL_F = 'ff:ff:ff:ff:ff:ff:ff:ff';
const IFLA_NET_NS_FD = 28;
const RDMA_SET = 5122;
const VFIO_VF = 5;

/** The PF request bytes after the ifinfomsg: IFLA_VFINFO_LIST { IFLA_VF_INFO { attr } } (no NLA_F_NESTED, as iproute2). */
const vfInfoHex = (attr: string) => {
  const a = attr.replace(/\s+/g, '');
  const le16 = (n: number) => Buffer.from([n & 0xff, n >> 8]).toString('hex');
  return `${le16(a.length / 2 + 8)}1600${le16(a.length / 2 + 4)}0100${a}`;
};
const guidHex = (vf: number, which: 'node' | 'port', guid: string) => {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(vf, 0);
  b.writeBigUInt64LE(BigInt(`0x${guid.replaceAll(':', '')}`), 8);
  return vfInfoHex(`1400 ${which === 'node' ? '0a00' : '0b00'} ${b.toString('hex')}`);
};
const linkStateHex = (vf: number, state: number) => {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(vf, 0);
  b.writeUInt32LE(state, 4);
  return vfInfoHex(`0c00 0500 ${b.toString('hex')}`);
};

type FailPoint = 'rebindVf' | 'moveIntoNetns' | 'ipamAdd' | 'configureIp' | 'writeCache';

describe.skipIf(reason !== null)('ib-sriov over the recording PF/IPoIB layer', () => {
  let lab: Lab;
  let dir: string;
  let ib: RecordingIb;
  let rebinds: string[];
  const vf = (i: number) => lab.vf(0, i);
  const original = new Map<number, string>();

  beforeAll(async () => {
    lab = await createLab({ pfs: [{ model: MLX5_CX6_IB, vfs: 6, dpdkVfs: [VFIO_VF] }] });
    dir = mkdtempSync(join(tmpdir(), 'ib-sriov-rec-'));
  }, 120_000);
  afterAll(async () => {
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    ib = recordingIb(lab);
    rebinds = [];
    for (let i = 0; i < VFIO_VF; i++) {
      if (!original.has(i)) original.set(i, ib.addressGuid(i));
      ib.setAddressGuid(i, original.get(i)!);
    }
  });

  const stateFile = (cid: string, ifName = 'net1') => join(dir, 'state', `${cid}-${ifName}`);

  async function run(
    command: 'ADD' | 'DEL' | 'CHECK',
    call: { containerId: string; netns: string; ifName?: string },
    conf: Record<string, unknown>,
    failAt?: FailPoint,
  ) {
    let armed = failAt;
    const makeOps = (o: Parameters<typeof nodeOps>[0]): IbOps => {
      const ops = nodeOps(o);
      const failing = <K extends FailPoint>(k: K, real: IbOps[K]): IbOps[K] =>
        ((...args: unknown[]) => {
          if (armed === k) {
            armed = undefined;
            throw new Error(`injected ${k} failure`);
          }
          return (real as (...a: unknown[]) => unknown)(...args);
        }) as IbOps[K];
      return {
        ...ops,
        // The sysfs half of the layer: the rebind writes go into the fake tree, are settled as the kernel would,
        // and the VF's IPoIB address then shows the port GUID programmed on the PF.
        rebindVf: failing('rebindVf', (pci: string) => {
          ops.rebindVf(pci);
          for (const w of lab.settleDriverWrites()) rebinds.push(`${w.operation} ${w.driver} ${w.address}`);
          ib.rebound(lab.pfs[0]!.vfs.findIndex((v) => v.address === pci));
        }),
        moveIntoNetns: failing('moveIntoNetns', ops.moveIntoNetns),
        ipamAdd: failing('ipamAdd', ops.ipamAdd),
        configureIp: failing('configureIp', ops.configureIp),
        writeCache: failing('writeCache', ops.writeCache),
      };
    };
    const handlers = ibSriovHandlers({
      makeOps,
      confDir: join(dir, 'net.d'),
      node: {
        transport: ib.transport,
        sysRoot: lab.root,
        stateDir: join(dir, 'state'),
        lockPath: join(dir, 'cni.lock'),
      },
    });
    const out: string[] = [];
    const err: string[] = [];
    const env = {
      CNI_COMMAND: command,
      CNI_CONTAINERID: call.containerId,
      CNI_NETNS: call.netns,
      CNI_IFNAME: call.ifName ?? 'net1',
      CNI_PATH: '/usr/lib/cni',
      CNI_ARGS: '',
      PATH: process.env.PATH,
    };
    const code = await dispatch(
      { env, stdin: JSON.stringify(conf), stdout: (t) => out.push(t), stderr: (t) => err.push(t) },
      handlers,
      { cniName: 'ib-sriov-cni' },
    );
    const text = out.join('');
    return { code, json: text ? JSON.parse(text) : undefined, stderr: err.join('') };
  }

  const conf = (i: number, extra: Record<string, unknown> = {}) => ({
    cniVersion: '1.0.0',
    name: NET,
    type: 'ib-sriov',
    deviceID: vf(i).address,
    ...extra,
  });
  const hostLocal = () => ({
    type: 'host-local',
    dataDir: join(dir, 'ipam'),
    ranges: [[{ subnet: '10.243.0.0/16' }]],
  });
  const leaseCount = () => {
    try {
      return execFileSync('ls', [join(dir, 'ipam', NET)], { encoding: 'utf8' })
        .split('\n')
        .filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f)).length;
    } catch {
      return 0;
    }
  };
  const rdmaRequestIndex = (netns?: string) =>
    ib.transport.requests.findIndex(
      (r) => r.protocol === 20 && r.type === RDMA_SET && (netns === undefined || r.netns === netns),
    );
  const moveRequestIndex = (netns?: string) =>
    ib.transport.requests.findIndex(
      (r) => r.protocol === 0 && attributeMap(r.payload.subarray(16)).has(IFLA_NET_NS_FD) && r.netns === netns,
    );

  it('GUID given: link state, node GUID, port GUID as separate PF requests (byte-exact), rebind; DEL restores', async () => {
    const netns = lab.createPodNetns('guid');
    const call = { containerId: randomId(), netns };
    const hostName = vf(1).netdev!;
    const orig = original.get(1)!;
    const c = conf(1, {
      ipam: hostLocal(),
      link_state: 'enable',
      pkey: '0x5',
      runtimeConfig: { infinibandGUID: GUID_A },
      args: { cni: { guid: GUID_B } }, // runtimeConfig wins
    });
    try {
      const add = await run('ADD', call, c);
      expect(add.code, add.stderr).toBe(0);
      expect(ib.vfRequests().map((r) => r.hex)).toEqual([
        linkStateHex(1, 1),
        guidHex(1, 'node', GUID_A),
        guidHex(1, 'port', GUID_A),
      ]);
      expect(rebinds).toEqual([`unbind mlx5_core ${vf(1).address}`, `bind mlx5_core ${vf(1).address}`]);
      expect(ib.addressGuid(1)).toBe(GUID_A); // what the rebound VF reports
      expect(linkIn('net1', netns)?.flags).toContain('UP');
      expect(add.json.interfaces).toEqual([{ name: 'net1', sandbox: netns }]);
      const cache = JSON.parse(readFileSync(stateFile(call.containerId), 'utf8'));
      expect(cache).toMatchObject({
        HostIFGUID: orig,
        HostIFNames: hostName,
        pkey: '0x5',
        link_state: 'enable',
        runtimeConfig: { infinibandGUID: GUID_A },
        args: { cni: { guid: GUID_B } },
      });

      ib.transport.clear();
      rebinds = [];
      const del = await run('DEL', call, c);
      expect(del.code, del.stderr).toBe(0);
      expect(ib.vfRequests().map((r) => r.hex)).toEqual([
        linkStateHex(1, 0),
        guidHex(1, 'node', orig),
        guidHex(1, 'port', orig),
      ]);
      expect(rebinds).toEqual([`unbind mlx5_core ${vf(1).address}`, `bind mlx5_core ${vf(1).address}`]);
      expect(ib.addressGuid(1)).toBe(orig);
      expect(linkIn(hostName)?.ifname).toBe(hostName);
      expect(existsSync(stateFile(call.containerId))).toBe(false);
      expect(leaseCount()).toBe(0);
    } finally {
      lab.deletePodNetns(netns);
    }
  });

  it('args.cni.guid is used when runtimeConfig has none; warnings: top-level guid, rdma chained after ib-sriov', async () => {
    const netns = lab.createPodNetns('argsguid');
    const call = { containerId: randomId(), netns };
    mkdirSync(join(dir, 'net.d'), { recursive: true });
    const conflist = { cniVersion: '1.0.0', name: NET, plugins: [{ type: 'ib-sriov' }, { type: 'rdma' }] };
    writeFileSync(join(dir, 'net.d', '10-ib.conflist'), JSON.stringify(conflist));
    try {
      const add = await run('ADD', call, conf(1, { guid: GUID_A, args: { cni: { guid: GUID_B } } }));
      expect(add.code, add.stderr).toBe(0);
      expect(ib.vfRequests().map((r) => `${r.kind} ${r.value}`)).toEqual([`node ${GUID_B}`, `port ${GUID_B}`]);
      expect(add.stderr).toContain('is ignored (as by the Go plugin)');
      expect(add.stderr).toContain(`10-ib.conflist: network \\"${NET}\\" chains the rdma plugin after ib-sriov`);
      expect((await run('DEL', call, conf(1))).code).toBe(0);
    } finally {
      rmSync(join(dir, 'net.d'), { recursive: true, force: true });
      lab.deletePodNetns(netns);
    }
  });

  it('rdmaIsolation: exclusive mode checked, RDMA device moved before the netdev; DEL moves it back from inside the pod', async () => {
    const netns = lab.createPodNetns('rdma');
    const call = { containerId: randomId(), netns };
    const dev = vf(2).rdmaDevice!;
    const c = conf(2, { rdmaIsolation: true });
    try {
      const add = await run('ADD', call, c);
      expect(add.code, add.stderr).toBe(0);
      expect(ib.rdmaNetns.get(dev)).toBe(netns);
      const rdma = ib.rdmaRequests();
      expect(rdma.map((r) => [r.type, r.netns])).toEqual([
        [5126, undefined], // SYS_GET
        [5121, undefined], // GET dump: resolve the name in the host
        [RDMA_SET, undefined], // SET DEV_INDEX + NET_NS_FD
      ]);
      expect([rdma[0]!.hex, rdma[1]!.hex]).toEqual(['', '']); // SYS_GET and the GET dump carry no attributes
      const index = [...ib.rdmaNetns.keys()].indexOf(dev) + 1;
      const le32 = Buffer.alloc(4);
      le32.writeUInt32LE(index);
      // RDMA_NLDEV_ATTR_DEV_INDEX (1) u32, then RDMA_NLDEV_NET_NS_FD (68) u32 = the fd of the opened pod netns
      expect(rdma[2]!.hex).toMatch(new RegExp(`^08000100${le32.toString('hex')}08004400[0-9a-f]{8}$`));
      expect(rdmaRequestIndex()).toBeLessThan(moveRequestIndex(undefined));
      const cache = JSON.parse(readFileSync(stateFile(call.containerId), 'utf8'));
      expect(cache.RdmaNetState).toEqual({
        version: '',
        deviceID: vf(2).address,
        sandboxRdmaDevName: dev,
        containerRdmaDevName: dev,
      });
      expect(cache.rdmaIsolation).toBe(true);

      ib.transport.clear();
      const del = await run('DEL', call, c);
      expect(del.code, del.stderr).toBe(0);
      expect(ib.rdmaNetns.get(dev)).toBeUndefined();
      expect(ib.rdmaRequests().map((r) => [r.type, r.netns])).toEqual([
        [5121, netns],
        [RDMA_SET, netns],
      ]);
      // The netdev is released first (the RDMA move recreates the IPoIB netdev anyway).
      expect(moveRequestIndex(netns)).toBeLessThan(rdmaRequestIndex(netns));
      expect(linkIn(vf(2).netdev!)?.ifname).toBe(vf(2).netdev);

      ib.mode = 'shared';
      const shared = await run('ADD', call, c);
      expect(shared.json).toMatchObject({
        code: 999,
        msg: 'RDMA subsystem namespace awareness mode is set to shared, expecting it to be set to exclusive, invalid system configurations',
      });
    } finally {
      lab.deletePodNetns(netns);
    }
  });

  it('rdmaIsolation needs exactly one RDMA device under the VF (reference messages), before anything moves', async () => {
    const netns = lab.createPodNetns('rdmacount');
    const ibDir = join(lab.root, 'sys/bus/pci/devices', vf(2).address, 'infiniband');
    const dev = vf(2).rdmaDevice!;
    try {
      mkdirSync(join(ibDir, 'mlx5_99'));
      const two = await run('ADD', { containerId: randomId(), netns }, conf(2, { rdmaIsolation: true }));
      expect(two.json.msg).toBe(
        `discovered more than one RDMA device [${[dev, 'mlx5_99'].sort().join(' ')}] for PCI device ${vf(2).address}. Unsupported state`,
      );
      rmSync(join(ibDir, 'mlx5_99'), { recursive: true });
      renameSync(join(ibDir, dev), join(lab.root, 'parked-rdma'));
      const none = await run('ADD', { containerId: randomId(), netns }, conf(2, { rdmaIsolation: true }));
      expect(none.json.msg).toBe(`failed to get RDMA devices for PCI device: ${vf(2).address}. No RDMA devices found`);
      expect(linkIn(vf(2).netdev!)?.ifname).toBe(vf(2).netdev);
      expect(ib.rdmaRequests().filter((r) => r.type === RDMA_SET)).toEqual([]);
    } finally {
      if (existsSync(join(lab.root, 'parked-rdma'))) renameSync(join(lab.root, 'parked-rdma'), join(ibDir, dev));
      rmSync(join(ibDir, 'mlx5_99'), { recursive: true, force: true });
      lab.deletePodNetns(netns);
    }
  });

  // Each step fails once, either as the PF / RDMA core would answer (errno at the transport) or injected at the seam.
  const kernel = (step: Parameters<RecordingIb['failNext']>[0]) => () => {
    ib.failNext(step);
    return undefined;
  };
  it('a rebind that renames the netdev (issue 51 / udev): ADD finds it by PCI address, DEL restores the host name', async () => {
    const netns = lab.createPodNetns('rename');
    const call = { containerId: randomId(), netns };
    const hostName = vf(4).netdev!;
    const c = conf(4, { runtimeConfig: { infinibandGUID: GUID_A } });
    try {
      ib.renameOnRebind(4, `${lab.prefix}ib7`);
      const add = await run('ADD', call, c);
      expect(add.code, add.stderr).toBe(0);
      expect(linkIn(hostName)).toBeUndefined();
      expect(linkIn('net1', netns)).toBeDefined(); // the renamed netdev, found again by PCI address
      expect(JSON.parse(readFileSync(stateFile(call.containerId), 'utf8')).HostIFNames).toBe(hostName);

      ib.renameOnRebind(4, `${lab.prefix}ib8`); // DEL's rebind renames it too
      const del = await run('DEL', call, c);
      expect(del.code, del.stderr).toBe(0);
      expect(linkIn(hostName)?.ifname).toBe(hostName);
      expect(linkIn(`${lab.prefix}ib8`)).toBeUndefined();
    } finally {
      for (const stray of [`${lab.prefix}ib7`, `${lab.prefix}ib8`]) {
        if (linkIn(stray)) execFileSync('ip', ['link', 'set', stray, 'name', hostName]);
      }
      ib.syncNetdev(4);
      lab.deletePodNetns(netns);
    }
  });

  const matrix: { step: string; arm: () => FailPoint | undefined; msg: RegExp }[] = [
    { step: 'link state', arm: kernel('link_state'), msg: /failed to set vf 3 link state to enable: invalid argument/ },
    { step: 'node GUID', arm: kernel('node'), msg: /failed to set vf 3 node GUID 02:00:00:00:00:00:00:0a: invalid/ },
    { step: 'port GUID', arm: kernel('port'), msg: /failed to set vf 3 port GUID 02:00:00:00:00:00:00:0a: invalid/ },
    { step: 'rebind', arm: () => 'rebindVf', msg: /injected rebindVf failure/ },
    {
      step: 'RDMA move',
      arm: kernel('rdma-move'),
      msg: /failed to move RDMA device mlx5_\d+ to netns .*: .*invalid argument/,
    },
    { step: 'netdev move', arm: () => 'moveIntoNetns', msg: /failed to set up pod interface "net1".*injected/ },
    { step: 'IPAM ADD', arm: () => 'ipamAdd', msg: /failed to set up IPAM plugin type "host-local".*injected/ },
    { step: 'address configuration', arm: () => 'configureIp', msg: /injected configureIp failure/ },
    { step: 'cache write', arm: () => 'writeCache', msg: /error saving NetConf: injected writeCache failure/ },
  ];
  for (const m of matrix) {
    it(`undo after a failing ${m.step}: GUID (reference issue 217), link state, RDMA device, netdev, lease, cache`, async () => {
      const netns = lab.createPodNetns(`u${matrix.indexOf(m)}`);
      const call = { containerId: randomId(), netns };
      const orig = original.get(3)!;
      const dev = vf(3).rdmaDevice!;
      const c = conf(3, {
        ipam: hostLocal(),
        link_state: 'enable',
        rdmaIsolation: true,
        runtimeConfig: { infinibandGUID: GUID_A },
      });
      try {
        const failAt = m.arm();
        const add = await run('ADD', call, c, failAt);
        expect(add.code).toBe(1);
        expect(add.json.msg).toMatch(m.msg);
        expect(add.json.msg).not.toContain('rollback failed');
        // The PF holds the original GUID again (or never got another), the VF shows it, link state is auto.
        const pfGuids = ib.guids.get(3);
        if (pfGuids) expect(pfGuids).toEqual({ node: orig, port: orig });
        expect(ib.addressGuid(3)).toBe(orig);
        const states = ib.vfRequests().filter((r) => r.kind === 'link_state');
        if (states.length > 1) expect(states.at(-1)!.value).toBe('auto');
        expect(ib.rdmaNetns.get(dev)).toBeUndefined();
        expect(linkIn(vf(3).netdev!)?.ifname).toBe(vf(3).netdev);
        expect(linkIn('net1', netns)).toBeUndefined();
        expect(leaseCount()).toBe(0);
        expect(existsSync(stateFile(call.containerId))).toBe(false);

        // The retry records the true original GUID (Go records the polluted one: issue 217), and DEL restores it.
        const retry = await run('ADD', call, c);
        expect(retry.code, retry.stderr).toBe(0);
        expect(JSON.parse(readFileSync(stateFile(call.containerId), 'utf8')).HostIFGUID).toBe(orig);
        expect((await run('DEL', call, c)).code).toBe(0);
        expect(ib.addressGuid(3)).toBe(orig);
        expect(ib.rdmaNetns.get(dev)).toBeUndefined();
      } finally {
        lab.deletePodNetns(netns);
      }
    });
  }

  it('DEL of a Go-written cache whose saved GUID was all-zero writes all-F, rebinds, renames back', async () => {
    const netns = lab.createPodNetns('gozero');
    const containerId = randomId();
    const hostName = vf(4).netdev!;
    try {
      execFileSync('ip', ['link', 'set', hostName, 'netns', basename(netns), 'name', 'net1']);
      const goCache = {
        cniVersion: '1.0.0',
        name: NET,
        type: 'ib-sriov',
        ipam: {},
        Master: lab.pfs[0]!.netdev,
        deviceID: vf(4).address,
        VFID: 4,
        HostIFNames: hostName,
        HostIFGUID: '00:00:00:00:00:00:00:00',
        ContIFNames: 'net1',
        pkey: '',
        link_state: 'disable',
        RdmaNetState: { version: '', deviceID: '', sandboxRdmaDevName: '', containerRdmaDevName: '' },
        runtimeConfig: { infinibandGUID: GUID_A },
        args: { cni: null },
      };
      execFileSync('mkdir', ['-p', join(dir, 'state')]);
      writeFileSync(stateFile(containerId), JSON.stringify(goCache), { mode: 0o600 });
      const del = await run('DEL', { containerId, netns }, conf(4));
      expect(del.code, del.stderr).toBe(0);
      expect(ib.vfRequests().map((r) => r.hex)).toEqual([
        linkStateHex(4, 0),
        guidHex(4, 'node', ALL_F),
        guidHex(4, 'port', ALL_F),
      ]);
      expect(rebinds).toEqual([`unbind mlx5_core ${vf(4).address}`, `bind mlx5_core ${vf(4).address}`]);
      expect(linkIn(hostName)?.ifname).toBe(hostName);
      expect(existsSync(stateFile(containerId))).toBe(false);
    } finally {
      lab.deletePodNetns(netns);
    }
  });

  it('VFIO VF: GUID and link state via the PF without rebind; HostIFGUID all-F; DEL resets them', async () => {
    const netns = lab.createPodNetns('vfio');
    const call = { containerId: randomId(), netns };
    const c = conf(VFIO_VF, { link_state: 'enable', args: { cni: { guid: GUID_A } }, ipam: hostLocal() });
    try {
      const add = await run('ADD', call, c);
      expect(add.code, add.stderr).toBe(0);
      expect(ib.vfRequests().map((r) => `${r.kind} ${r.value}`)).toEqual([
        'link_state enable',
        `node ${GUID_A}`,
        `port ${GUID_A}`,
      ]);
      expect(rebinds).toEqual([]);
      expect(leaseCount()).toBe(0);
      expect(JSON.parse(readFileSync(stateFile(call.containerId), 'utf8'))).toMatchObject({
        vfioPciMode: true,
        HostIFGUID: 'FF:FF:FF:FF:FF:FF:FF:FF',
      });
      ib.transport.clear();
      expect((await run('DEL', call, c)).code).toBe(0);
      expect(ib.vfRequests().map((r) => `${r.kind} ${r.value}`)).toEqual([
        'link_state auto',
        `node ${ALL_F}`,
        `port ${ALL_F}`,
      ]);
      expect(rebinds).toEqual([]);
    } finally {
      lab.deletePodNetns(netns);
    }
  });
});

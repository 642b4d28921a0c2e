// The whole stack on the lab's simulated SR-IOV node, step by step, as a node runs it: the real `sriovdp` bundle
// registers its pools with a kubelet stand-in, the stand-in allocates a VF per pod as kubelet does, the VF's PCI
// address is taken from PCIDEVICE_* as Multus does, and the real `sriov` CNI bundle ADDs and DELs it. Both the
// demo (pnpm demo) and the local-lab e2e suite drive this class; the suite asserts what the demo prints.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createLab, type Lab, type LabSpec, type LabVf } from '@sriov-ts/lab';
import { type AddressInfo, createNetlinkOps, type LinkInfo } from '@sriov-ts/netlink-ops';
import { type Allocation, deviceIdFromEnv, KubeletStandIn, pciDeviceEnvName } from './kubelet-standin.js';
import { type Executables, ensureExecutables } from './paths.js';

export const RESOURCE_PREFIX = 'intel.com';
export const CNI_BIN = '/usr/lib/cni';
export const POD_IFNAME = 'net1';

/** The default demo node: two PFs with 8 VFs each, one Intel (iavf VFs) and one Mellanox (mlx5_core VFs). */
export const DEMO_LAB: LabSpec = {
  pfs: [
    { model: 'intel-xxv710', vfs: 8 },
    { model: 'mlx5-cx5-eth', vfs: 8 },
  ],
};

/** One pool per vendor, as a ConfigMap on such a node would declare them. */
export function demoDevicePluginConfig(): { resourceList: Record<string, unknown>[] } {
  return {
    resourceList: [
      { resourceName: 'intel_sriov_netdevice', selectors: [{ vendors: ['8086'], drivers: ['iavf'] }] },
      { resourceName: 'mlnx_sriov_netdevice', selectors: [{ vendors: ['15b3'], drivers: ['mlx5_core'] }] },
    ],
  };
}

export interface StackPrerequisite {
  what: string;
  ok: boolean;
  /** The Debian package that provides it. */
  debian: string;
  /** What the stack does without it; absent = required. */
  fallback?: string;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && isExecutable(join(dir, name)));
}

/** What the stack needs on the host besides this repository. */
export function stackPrerequisites(): StackPrerequisite[] {
  const exists = isExecutable;
  return [
    { what: 'root (uid 0)', ok: process.getuid?.() === 0, debian: '(run as root)' },
    { what: 'nsenter and unshare', ok: onPath('nsenter') && onPath('unshare'), debian: 'util-linux' },
    {
      what: `${CNI_BIN}/host-local`,
      ok: exists(`${CNI_BIN}/host-local`),
      debian: 'containernetworking-plugins',
      fallback: 'the CNI runs without IPAM (L2 mode) and the pod addresses are set over netlink instead',
    },
    {
      what: 'ping',
      ok: onPath('ping'),
      debian: 'iputils-ping',
      fallback: 'the pods exchange UDP echo datagrams instead of ICMP echo',
    },
  ];
}

// UDP echo over the pods' VFs, for hosts without ping: a server in one pod netns, a client in the other (node -e,
// argv only). The client prints ping's summary line so both paths are read the same way.
const UDP_ECHO_SERVER =
  "const d=require('dgram').createSocket('udp4');d.on('message',(m,r)=>d.send(m,r.port,r.address));" +
  "d.bind(Number(process.argv[2]),process.argv[1],()=>console.log('ready'));";
const UDP_ECHO_CLIENT =
  "const d=require('dgram').createSocket('udp4');const n=Number(process.argv[2]);let got=0,sent=0;" +
  "d.on('message',()=>{got++;});const tick=()=>{if(sent===n){setTimeout(()=>{" +
  "console.log(n+' packets transmitted, '+got+' received');process.exit(got===n?0:1);},1000);return;}" +
  "sent++;d.send(Buffer.from('echo '+sent),7007,process.argv[1]);setTimeout(tick,200);};tick();";

export interface CniOutcome {
  status: number | null;
  stdout: string;
  stderr: string;
  json: Record<string, unknown> | undefined;
}

export interface PodAttachment {
  name: string;
  containerId: string;
  netns: string;
  resource: string;
  allocation: Allocation;
  /** The env variable Multus read and its value. */
  env: { name: string; value: string };
  deviceId: string;
  vf: LabVf;
  conf: Record<string, unknown>;
  result: Record<string, unknown>;
  /** The interface inside the pod, read back with netlink. */
  link: LinkInfo;
  addresses: AddressInfo[];
}

export interface PingOutcome {
  from: string;
  to: string;
  address: string;
  ok: boolean;
  transmitted: number;
  received: number;
  output: string;
}

export interface StackOptions {
  lab?: LabSpec;
  /** IPAM for the pods: host-local (default when installed) or none (L2 mode, addresses set over netlink). */
  ipam?: 'host-local' | 'none';
  /** Traffic check: ping (default when installed) or a UDP echo exchange. */
  pinger?: 'ping' | 'udp';
  /** Progress callback: one line per step, for the demo's terminal. */
  progress?: (line: string) => void;
  /** Subnet handed out by host-local. */
  subnet?: string;
}

export class LabStack {
  readonly kubelet: KubeletStandIn;
  readonly pods: PodAttachment[] = [];
  readonly pluginLog: string[] = [];
  readonly ops = createNetlinkOps();
  private plugin: ChildProcess | null = null;
  private pluginExit: Promise<number | null> | null = null;
  private readonly progress: (line: string) => void;
  private readonly subnet: string;
  readonly ipam: 'host-local' | 'none';
  readonly pinger: 'ping' | 'udp';
  private podCount = 0;

  private constructor(
    readonly lab: Lab,
    /** Mounted over /var/lib/cni inside the lab's fake-sys namespace. */
    readonly stateRoot: string,
    /** Temp dir for the kubelet folder, the device plugin config and device-info files. */
    readonly work: string,
    readonly exe: Executables,
    options: StackOptions,
  ) {
    this.progress = options.progress ?? (() => {});
    this.subnet = options.subnet ?? '10.56.217.0/24';
    const have = Object.fromEntries(stackPrerequisites().map((p) => [p.debian, p.ok]));
    this.ipam = options.ipam ?? (have['containernetworking-plugins'] ? 'host-local' : 'none');
    this.pinger = options.pinger ?? (have['iputils-ping'] ? 'ping' : 'udp');
    mkdirSync(this.kubeletDir, { recursive: true });
    this.kubelet = new KubeletStandIn(this.kubeletDir);
  }

  get kubeletDir(): string {
    return join(this.work, 'device-plugins');
  }
  get deviceInfoDir(): string {
    return join(this.work, 'devinfo');
  }
  get configFile(): string {
    return join(this.work, 'config.json');
  }
  /** The CNI plugin's /var/lib/cni/sriov as seen from the host. */
  get cniStateDir(): string {
    return join(this.stateRoot, 'sriov');
  }

  /** Creates the lab and a private /var/lib/cni for it. On failure nothing is left behind. */
  static async create(options: StackOptions = {}): Promise<LabStack> {
    const exe = ensureExecutables(['sriovCni', 'sriovdp', 'sriovctl']);
    const progress = options.progress ?? (() => {});
    const spec = options.lab ?? DEMO_LAB;
    progress(`creating the lab: ${spec.pfs.map((p) => `${p.vfs} VFs on ${String(p.model)}`).join(', ')}`);
    const lab = await createLab(spec);
    let stateRoot: string | undefined;
    let work: string | undefined;
    try {
      stateRoot = mkdtempSync(join(tmpdir(), `sriov-e2e-${lab.id}-cni-`));
      work = mkdtempSync(join(tmpdir(), `sriov-e2e-${lab.id}-node-`));
      mkdirSync('/var/lib/cni', { recursive: true });
      // The plugins see the lab's /var/lib/cni only inside the fake-sys mount namespace; the host's is untouched.
      const r = await lab.spawnInFakeSys('mount', ['--bind', stateRoot, '/var/lib/cni']);
      if (r.status !== 0) throw new Error(`mount --bind ${stateRoot} /var/lib/cni: ${r.stderr.trim()}`);
      return new LabStack(lab, stateRoot, work, exe, options);
    } catch (e) {
      await lab.destroy();
      if (stateRoot) rmSync(stateRoot, { recursive: true, force: true });
      if (work) rmSync(work, { recursive: true, force: true });
      throw e;
    }
  }

  /** Starts the kubelet stand-in and the real sriovdp bundle; resolves when every pool is registered and listed. */
  async startDevicePlugin(config = demoDevicePluginConfig()): Promise<void> {
    this.assertOpen();
    writeFileSync(this.configFile, `${JSON.stringify(config, null, 2)}\n`);
    await this.kubelet.start();
    this.progress(`kubelet stand-in listening on ${this.kubelet.socketPath}`);
    const argv = await this.lab.fakeSysArgv(process.execPath, [
      this.exe.sriovdp,
      `--config-file=${this.configFile}`,
      `--resource-prefix=${RESOURCE_PREFIX}`,
      `--device-plugin-path=${this.kubeletDir}/`,
      `--plugins-registry-path=${join(this.work, 'no-plugins-registry')}/`,
      `--device-info-path=${this.deviceInfoDir}`,
      '--rescan-interval=0',
    ]);
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const child = spawn(argv.command, argv.args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.plugin = child;
    this.pluginExit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    let partial = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      this.pluginLog.push(...lines.filter((l) => l.trim() !== ''));
    });
    this.progress(`sriovdp started (pid ${child.pid}) with ${config.resourceList.length} pools`);
    const names = config.resourceList.map((r) => `${RESOURCE_PREFIX}/${String(r.resourceName)}`);
    let exited = false;
    void this.pluginExit.then(() => {
      exited = true;
      this.kubelet.emit('change');
    });
    await this.kubelet.waitFor(
      () => exited || names.every((n) => (this.kubelet.endpoints.get(n)?.updates ?? 0) > 0),
      `${names.join(', ')} registered and listed`,
    );
    if (exited) throw new Error(`sriovdp exited during start-up:\n${this.pluginLog.slice(-10).join('\n')}`);
    for (const n of names) {
      this.progress(`  registered ${n}: ${this.kubelet.endpoints.get(n)!.devices.length} devices`);
    }
  }

  /** Pools as kubelet sees them: resource → devices. */
  pools(): { resource: string; devices: { id: string; health: string; numa: number[] }[] }[] {
    return [...this.kubelet.endpoints.values()].map((ep) => ({
      resource: ep.resource,
      devices: ep.devices.map((d) => ({ id: d.id, health: d.health, numa: d.numaNodes })),
    }));
  }

  findVf(address: string): LabVf {
    for (const pf of this.lab.pfs) {
      const vf = pf.vfs.find((v) => v.address === address);
      if (vf) return vf;
    }
    throw new Error(`${address} is not a VF of the lab`);
  }

  hostLocalIpam(): Record<string, unknown> {
    return {
      type: 'host-local',
      dataDir: join(this.stateRoot, 'ipam'),
      ranges: [[{ subnet: this.subnet }]],
    };
  }

  /** Runs the bundled sriov plugin in the lab's fake-sys namespace, exactly as a runtime runs it (env + stdin). */
  async runCni(
    command: 'ADD' | 'DEL' | 'CHECK',
    pod: { containerId: string; netns: string },
    conf: Record<string, unknown>,
  ): Promise<CniOutcome> {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      CNI_COMMAND: command,
      CNI_CONTAINERID: pod.containerId,
      CNI_NETNS: pod.netns,
      CNI_IFNAME: POD_IFNAME,
      CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=${pod.containerId}`,
      CNI_PATH: CNI_BIN,
    };
    const plugin = conf.type === 'ib-sriov' ? ensureExecutables(['ibSriovCni']).ibSriovCni : this.exe.sriovCni;
    const r = await this.lab.spawnInFakeSys(process.execPath, [plugin], {
      env,
      input: JSON.stringify(conf),
    });
    let json: Record<string, unknown> | undefined;
    try {
      json = r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, json };
  }

  /** kubelet allocates one device of the pool; the VF address is read from PCIDEVICE_* as Multus does. */
  async allocateDevice(
    name: string,
    resourceName: string,
  ): Promise<{ resource: string; allocation: Allocation; envName: string; deviceId: string }> {
    this.assertOpen();
    const resource = `${RESOURCE_PREFIX}/${resourceName}`;
    const allocation = await this.kubelet.allocate(resource, 1);
    const envName = pciDeviceEnvName(resource);
    const deviceId = deviceIdFromEnv(allocation.response.envs, resource);
    this.progress(`${name}: kubelet allocated ${resource} → ${envName}=${allocation.response.envs[envName]}`);
    return { resource, allocation, envName, deviceId };
  }

  /** A pod asking for one device of `resource`: kubelet allocates, Multus injects deviceID, the CNI ADDs it. */
  async addPod(name: string, resourceName: string, type: 'sriov' | 'ib-sriov' = 'sriov'): Promise<PodAttachment> {
    this.assertOpen();
    const { resource, allocation, envName, deviceId } = await this.allocateDevice(name, resourceName);
    this.assertOpen();
    const netns = this.lab.createPodNetns(name.replace(/[^a-z0-9]/g, '').slice(0, 6));
    const containerId = `${this.lab.prefix}${name.replace(/[^a-z0-9]/g, '')}`.padEnd(16, '0');
    const conf: Record<string, unknown> = {
      cniVersion: '1.0.0',
      name: type === 'sriov' ? 'sriov-demo' : 'ib-sriov-demo',
      type,
      deviceID: deviceId,
    };
    if (this.ipam === 'host-local') conf.ipam = this.hostLocalIpam();
    const podNumber = ++this.podCount;
    const add = await this.runCni('ADD', { containerId, netns }, conf);
    if (add.status !== 0 || !add.json) {
      this.lab.deletePodNetns(netns);
      this.kubelet.release(resource, allocation.ids);
      throw new Error(`${name}: ${type} ADD failed (exit ${add.status}): ${add.stdout}${add.stderr}`);
    }
    if (this.ipam === 'none') {
      // No IPAM plugin on this host: give the pod the address a static IPAM would have.
      const [base, prefix] = this.subnet.split('/') as [string, string];
      const cidr = `${base.replace(/\.\d+$/, '')}.${100 + podNumber}/${prefix}`;
      this.ops.addAddress(POD_IFNAME, cidr, { netns });
    }
    const link = this.ops.getLink(POD_IFNAME, { netns });
    const addresses = this.ops.listAddresses({ netns, link: POD_IFNAME, family: 4 });
    const pod: PodAttachment = {
      name,
      containerId,
      netns,
      resource,
      allocation,
      env: { name: envName, value: allocation.response.envs[envName]! },
      deviceId,
      vf: this.findVf(deviceId),
      conf,
      result: add.json,
      link,
      addresses,
    };
    this.pods.push(pod);
    const ip = addresses.map((a) => a.cidr).join(', ');
    this.progress(`${name}: ${type} ADD moved ${pod.vf.netdev} (${deviceId}) into ${netns} as ${POD_IFNAME} ${ip}`);
    return pod;
  }

  /** ping (or, without ping, a UDP echo exchange) from one pod's netns to the other pod's address, over their VFs. */
  async ping(from: PodAttachment, to: PodAttachment, count = 3): Promise<PingOutcome> {
    const address = to.addresses[0]?.address;
    if (!address) throw new Error(`${to.name} has no IPv4 address`);
    const r =
      this.pinger === 'ping'
        ? spawnSync(
            'nsenter',
            [`--net=${from.netns}`, '--', 'ping', '-n', '-c', String(count), '-i', '0.2', '-W', '2', address],
            { encoding: 'utf8', timeout: 30_000 },
          )
        : await this.udpEcho(from, to, address, count);
    const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(r.stdout);
    const transmitted = m ? Number(m[1]) : 0;
    const received = m ? Number(m[2]) : 0;
    return {
      from: from.name,
      to: to.name,
      address,
      ok: r.status === 0 && received === count,
      transmitted,
      received,
      output: `${r.stdout}${r.stderr}`,
    };
  }

  private async udpEcho(
    from: PodAttachment,
    to: PodAttachment,
    address: string,
    count: number,
  ): Promise<{ status: number | null; stdout: string; stderr: string }> {
    // The server answers only on the target pod's address: a datagram that does not reach that VF gets no echo.
    const server = spawn(
      'nsenter',
      [`--net=${to.netns}`, '--', process.execPath, '-e', UDP_ECHO_SERVER, address, '7007'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const ready = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 10_000);
        server.stdout?.on('data', () => {
          clearTimeout(timer);
          resolve(true);
        });
        server.on('exit', () => {
          clearTimeout(timer);
          resolve(false);
        });
      });
      if (!ready) return { status: 1, stdout: '', stderr: `UDP echo server in ${to.name} did not start` };
      const client = spawn(
        'nsenter',
        [`--net=${from.netns}`, '--', process.execPath, '-e', UDP_ECHO_CLIENT, address, String(count)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      client.stdout?.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
      });
      client.stderr?.setEncoding('utf8').on('data', (c: string) => {
        stderr += c;
      });
      const killer = setTimeout(() => client.kill('SIGKILL'), 30_000);
      const status = await new Promise<number | null>((resolve) => client.on('exit', (code) => resolve(code)));
      clearTimeout(killer);
      return { status, stdout, stderr };
    } finally {
      server.kill('SIGKILL');
    }
  }

  /** CNI DEL for a pod, then kubelet forgets its device and the pod netns goes. */
  async deletePod(pod: PodAttachment): Promise<CniOutcome> {
    // Taken off the list first, so a tear-down running concurrently (Ctrl-C) does not DEL it a second time.
    const at = this.pods.indexOf(pod);
    if (at >= 0) this.pods.splice(at, 1);
    let del: CniOutcome;
    try {
      del = await this.runCni('DEL', pod, { ...pod.conf, prevResult: pod.result });
    } catch (e) {
      this.pods.push(pod);
      throw e;
    }
    if (del.status !== 0) this.pods.push(pod);
    if (del.status !== 0)
      throw new Error(
        `${pod.name}: ${String(pod.conf.type)} DEL failed (exit ${del.status}): ${del.stdout}${del.stderr}`,
      );
    this.kubelet.release(pod.resource, pod.allocation.ids);
    this.lab.deletePodNetns(pod.netns);
    this.progress(`${pod.name}: ${String(pod.conf.type)} DEL returned ${pod.vf.netdev} to the host`);
    return del;
  }

  /**
   * The node inspector, run as an operator would on this node: inside the fake-sys namespace, where /sys is the
   * lab's tree and /var/lib/cni the CNI plugins' state.
   */
  async sriovctl(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const r = await this.lab.spawnInFakeSys(process.execPath, [this.exe.sriovctl, ...args], { env });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** Stops sriovdp with SIGTERM (as kubelet's pod deletion does) and returns its exit code. */
  async stopDevicePlugin(): Promise<number | null> {
    const child = this.plugin;
    if (!child || !this.pluginExit) return null;
    this.plugin = null;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await this.pluginExit;
    clearTimeout(timer);
    return code;
  }

  private destroying: Promise<void> | null = null;
  private closed = false;

  private assertOpen(): void {
    if (this.closed) throw new Error('the lab stack is being torn down');
  }

  /** Tears everything down; safe to call after any failure, more than once and concurrently (same promise). */
  destroy(): Promise<void> {
    this.closed = true;
    this.destroying ??= this.tearDown();
    return this.destroying;
  }

  private async tearDown(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (fn: () => unknown) => {
      try {
        await fn();
      } catch (e) {
        errors.push(e);
      }
    };
    for (const pod of [...this.pods].reverse()) await attempt(() => this.deletePod(pod));
    await attempt(() => this.stopDevicePlugin());
    await attempt(() => this.kubelet.stop());
    await attempt(() => this.lab.destroy());
    await attempt(() => rmSync(this.stateRoot, { recursive: true, force: true }));
    await attempt(() => rmSync(this.work, { recursive: true, force: true }));
    if (errors.length > 0) throw new AggregateError(errors, `lab stack tear-down: ${errors.length} step(s) failed`);
  }
}

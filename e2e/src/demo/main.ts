// The lab demo (`pnpm demo`): the whole stack on a simulated SR-IOV node, with progress as it goes and a readable
// summary. scripts/demo.mjs checks root, builds what is needed and runs this bundle.
import { LabStack, type PingOutcome, stackPrerequisites } from '../lib/stack.js';
import { summarizeIds, table } from '../lib/table.js';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const green = (s: string) => (process.stdout.isTTY ? `\x1b[32m${s}\x1b[0m` : s);
const red = (s: string) => (process.stdout.isTTY ? `\x1b[31m${s}\x1b[0m` : s);

const TOTAL_STEPS = 6;
let stepNo = 0;
function step(title: string): void {
  stepNo++;
  console.log(`\n${bold(`[${stepNo}/${TOTAL_STEPS}] ${title}`)}`);
}
const info = (line: string) => console.log(`      ${line}`);

export async function runDemo(): Promise<number> {
  const prerequisites = stackPrerequisites();
  const missing = prerequisites.filter((p) => !p.ok && p.fallback === undefined);
  if (missing.length > 0) {
    console.error(red('The demo cannot run on this machine yet:'));
    for (const m of missing) console.error(`  - ${m.what} (Debian package: ${m.debian})`);
    const pkgs = [...new Set(missing.map((m) => m.debian).filter((d) => !d.startsWith('(')))];
    if (pkgs.length > 0) console.error(`Install with: apt-get install -y ${pkgs.join(' ')}`);
    return 1;
  }

  console.log(bold('sriov-ts lab demo: a simulated SR-IOV node, the real plugins, two pods talking over VFs'));
  for (const p of prerequisites.filter((x) => !x.ok && x.fallback !== undefined)) {
    console.log(`note: ${p.what} not found (Debian package ${p.debian}): ${p.fallback}`);
  }
  // Ctrl-C at any point tears down what exists: the handler is installed before the lab is created.
  let interrupted = false;
  let stack: LabStack | undefined;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    console.error('\ninterrupted: tearing the lab down…');
    if (stack) void stack.destroy().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  step('Create the lab node (fake sysfs + real veth PFs and macvlan VFs on a bridge)');
  stack = await LabStack.create({ progress: info });
  if (interrupted) {
    await stack.destroy();
    process.exit(130);
  }
  let ok = false;
  try {
    for (const pf of stack.lab.pfs) {
      info(
        `PF ${pf.netdev} ${pf.address} ${pf.model.vendor}:${pf.model.pfDevice} (${pf.model.name}) driver ${pf.driver}, NUMA ${pf.numaNode}: ` +
          `${pf.vfs.length} VFs ${pf.vfs[0]?.address} … ${pf.vfs[pf.vfs.length - 1]?.address} (${pf.vfs[0]?.driver})`,
      );
    }

    step('Start the device plugin (sriovdp) against the kubelet stand-in');
    await stack.startDevicePlugin();

    step('Two pods: kubelet allocates a VF each, Multus reads PCIDEVICE_*, the sriov CNI ADDs it');
    const a = await stack.addPod('pod-a', 'intel_sriov_netdevice');
    const b = await stack.addPod('pod-b', 'mlnx_sriov_netdevice');

    step(stack.pinger === 'ping' ? 'Ping between the pods over their VFs' : 'UDP echo between the pods over their VFs');
    const pings: PingOutcome[] = [await stack.ping(a, b), await stack.ping(b, a)];
    for (const p of pings) {
      const verdict = p.ok ? green('ok') : red('FAILED');
      info(`${p.from} → ${p.to} (${p.address}): ${p.received}/${p.transmitted} replies ${verdict}`);
      if (!p.ok) info(p.output.trim().split('\n').join('\n      '));
    }

    step('What happened');
    console.log(`\n${bold('Pools (as kubelet sees them from ListAndWatch)')}`);
    console.log(
      table(
        ['resource', 'devices', 'health', 'NUMA', 'allocated'],
        stack
          .pools()
          .map((p) => [
            p.resource,
            summarizeIds(p.devices.map((d) => d.id).sort()),
            [...new Set(p.devices.map((d) => d.health))].join('/'),
            [...new Set(p.devices.flatMap((d) => d.numa))].join(','),
            [...(stack.kubelet.allocated.get(p.resource) ?? [])].join(', ') || '-',
          ]),
      ),
    );
    console.log(`\n${bold('Allocations (Allocate response → what Multus passes to the CNI)')}`);
    console.log(
      table(
        ['pod', 'preferred', 'env', 'deviceID'],
        stack.pods.map((p) => [
          p.name,
          p.allocation.preferred.join(',') || '-',
          `${p.env.name}=${p.env.value}`,
          p.deviceId,
        ]),
      ),
    );
    console.log(`\n${bold('Pod interfaces (read back with netlink inside each pod netns)')}`);
    console.log(
      table(
        ['pod', 'netns', 'ifname', 'MAC', 'IPv4', 'state', 'VF (host name, PF)'],
        stack.pods.map((p) => [
          p.name,
          p.netns,
          p.link.name,
          p.link.mac ?? '',
          p.addresses.map((x) => x.cidr).join(','),
          p.link.operState,
          `${p.vf.netdev} vf ${p.vf.index} of ${stack.lab.pfs[p.vf.pfIndex]!.netdev}`,
        ]),
      ),
    );

    for (const args of [['pfs'], ['vfs']]) {
      console.log(`\n${bold(`$ sriovctl ${args.join(' ')}`)}  (the node inspector, run in the node's view)`);
      const r = await stack.sriovctl(args);
      console.log((r.stdout + r.stderr).trimEnd());
    }

    step('CNI DEL, stop the device plugin, tear the lab down');
    for (const p of [...stack.pods].reverse()) await stack.deletePod(p);
    const code = await stack.stopDevicePlugin();
    info(`sriovdp stopped (exit ${code}), sockets and device-info files removed`);
    ok = pings.every((p) => p.ok);
  } catch (e) {
    if (!interrupted) {
      console.error(red(`\ndemo failed: ${(e as Error).message}`));
      const log = stack.pluginLog.slice(-5);
      if (log.length > 0) console.error(`last sriovdp log lines:\n${log.join('\n')}`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!interrupted) {
      await stack.destroy();
      info('lab destroyed: links, netns, mounts and temp dirs removed');
    } else await new Promise(() => {}); // the signal handler exits once its tear-down is done
  }
  console.log(
    `\n${ok ? green('Demo complete: two pods talked over SR-IOV VFs handed out by sriovdp and plumbed by the sriov CNI.') : red('Demo failed.')}`,
  );
  return ok ? 0 : 1;
}

runDemo().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(red(`demo failed: ${(e as Error).stack ?? e}`));
    process.exitCode = 1;
  },
);

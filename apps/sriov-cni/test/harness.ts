// Test harness for the *.netns.test.ts suites: a lab, a private state dir mounted over /var/lib/cni inside the
// lab's fake-sys mount namespace, and the bundled executable run exactly as a runtime runs it (env + stdin).
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab, type Lab, type LabSpec } from '@sriov-ts/lab';
import {
  type CniCall,
  type CniOutcome,
  cniEnv,
  DEFAULT_CNI_PATH,
  ensureBundleBuilt,
  hostLocalLeases,
  type LabWithCniState,
  reclaimLink,
  runCniBundle,
  withPrivateCniState,
} from '@sriov-ts/test-support';

// The generic parts (build once, private /var/lib/cni, runtime env, `ip -j` oracle) are @sriov-ts/test-support's,
// shared with the ib-sriov suites.
export { addressesIn, type CniCall, type CniOutcome, ipJson, linkIn, randomId } from '@sriov-ts/test-support';

export const APP_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const BUNDLE = join(APP_DIR, 'dist', 'sriov.mjs');
export const CNI_BIN = DEFAULT_CNI_PATH;

/** Builds dist/sriov.mjs when it is missing or older than a source file of this app (once across parallel suites). */
export const ensureBuilt = () => ensureBundleBuilt(APP_DIR, BUNDLE);

export type TestLab = LabWithCniState<Lab>;

export const startLab = async (spec: LabSpec): Promise<TestLab> =>
  withPrivateCniState(await createLab(spec), 'sriov-cni-state-', 'sriov');

export const pluginEnv = cniEnv;

/** Runs the bundled plugin inside the lab's fake-sys mount namespace, as a runtime would. */
export const runPlugin = (t: TestLab, call: CniCall): Promise<CniOutcome> => runCniBundle(t.lab, BUNDLE, call);

export function hostLocalConf(
  t: TestLab,
  version: string,
  extra: Record<string, unknown> = {},
  subnet = '10.251.0.0/16',
) {
  return {
    cniVersion: version,
    name: 'sriovnet',
    type: 'sriov',
    ipam: {
      type: 'host-local',
      dataDir: t.ipamDir,
      ranges: [[{ subnet, gateway: subnet.replace(/0\.0\/16$/, '0.1') }]],
      routes: [{ dst: '10.252.0.0/16' }, { dst: '0.0.0.0/0' }],
    },
    ...extra,
  };
}

/** host-local's lease files (one per reserved IP, holding `<containerID>\r\n<ifname>`) of a container. */
export const leases = (t: TestLab, containerId: string, network = 'sriovnet') =>
  hostLocalLeases(t.ipamDir, network, containerId);

/** Test clean-up: put a VF left in a pod back into the host under its name, then delete the pod netns. */
export const reclaim = (t: { lab: Lab }, netns: string, hostName: string, podName = 'net1') =>
  reclaimLink(t.lab, netns, hostName, podName);

/**
 * Starts an ADD whose IPAM plugin blocks, waits until the VF has moved and IPAM is running, then SIGKILLs the
 * plugin (and reaps the orphaned IPAM child). Returns the CNI_PATH dir holding that IPAM plugin (`slow`).
 */
export async function addKilledDuringIpam(t: TestLab, call: Omit<CniCall, 'command' | 'path'>): Promise<string> {
  const bin = mkdtempSync(join(tmpdir(), 'sriov-slow-ipam-'));
  const marker = join(bin, 'started');
  writeFileSync(
    join(bin, 'slow'),
    `#!/bin/sh\nif [ "$CNI_COMMAND" = ADD ]; then echo $$ > ${marker}.tmp; mv ${marker}.tmp ${marker}; exec sleep 20; fi\nexit 0\n`,
  );
  chmodSync(join(bin, 'slow'), 0o755);
  const argv = await t.lab.fakeSysArgv(process.execPath, [BUNDLE]);
  const child = spawn(argv.command, argv.args, {
    env: pluginEnv({ ...call, command: 'ADD', path: bin }),
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.stdin.end(typeof call.conf === 'string' ? call.conf : JSON.stringify(call.conf));
  for (let i = 0; i < 1000 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  if (!existsSync(marker)) throw new Error('the slow IPAM plugin never started');
  try {
    process.kill(Number(readFileSync(marker, 'utf8').trim()), 'SIGKILL');
  } catch {
    // already gone
  }
  return bin;
}

// Test harness for the *.netns.test.ts suites: an InfiniBand lab (MLX5_CX6_IB PF/VFs in the fake sysfs, macvlan
// stand-ins for the IPoIB netdevs) with a private /var/lib/cni inside its fake-sys mount namespace, and the bundled
// executable run as a runtime runs it (the generic parts are @sriov-ts/test-support's, shared with sriov).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab, type Lab, MLX5_CX6_IB } from '@sriov-ts/lab';
import {
  type CniCall,
  type CniOutcome,
  ensureBundleBuilt,
  hostLocalLeases,
  type LabWithCniState,
  reclaimLink,
  runCniBundle,
  withPrivateCniState,
} from '@sriov-ts/test-support';

export { addressesIn, linkIn, randomId } from '@sriov-ts/test-support';

export const APP_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const BUNDLE = join(APP_DIR, 'dist', 'ib-sriov.mjs');
export const VERSIONS = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];

export const ensureBuilt = () => ensureBundleBuilt(APP_DIR, BUNDLE);

export type TestLab = LabWithCniState<Lab>;

export const startLab = async (vfs: number, extra: { dpdkVfs?: number[] } = {}): Promise<TestLab> =>
  withPrivateCniState(await createLab({ pfs: [{ model: MLX5_CX6_IB, vfs, ...extra }] }), 'ib-sriov-state-', 'ib-sriov');

export const runPlugin = (t: TestLab, call: CniCall): Promise<CniOutcome> => runCniBundle(t.lab, BUNDLE, call);

export function hostLocal(t: TestLab, subnet = '10.241.0.0/16') {
  return {
    type: 'host-local',
    dataDir: t.ipamDir,
    ranges: [[{ subnet, gateway: subnet.replace(/0\.0\/16$/, '0.1') }]],
    routes: [{ dst: '10.242.0.0/16' }],
  };
}

export const leases = (t: TestLab, containerId: string, network: string) =>
  hostLocalLeases(t.ipamDir, network, containerId);

export const reclaim = (t: { lab: Lab }, netns: string, hostName: string, podName = 'net1') =>
  reclaimLink(t.lab, netns, hostName, podName);

// kubelet restarts, plugin-watcher mode, link health, hot reload: real gRPC over unix sockets, fake kubelet.
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeHost, pci, pfWithVfs } from './host-fixtures.js';
import { type Harness, startHarness } from './plugin-harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const R = 'intel.com/sriov_net';
const oneSelector = { resourceList: [{ resourceName: 'sriov_net', selectors: [{ pfNames: ['ens1f0'] }] }] };

describe('kubelet restart (direct mode)', () => {
  it('re-creates the socket and re-registers after each of 20 folder wipes', async () => {
    const host = new FakeHost(pfWithVfs({ bus: '3b', pfName: 'ens1f0', count: 2 }));
    // A slow safety-net poll, so detection must come from the folder watch.
    h = await startHarness(host, oneSelector, { socketPollMs: 60_000 });
    const k = h.kubelet;
    const sock = join(h.dpDir, 'intel.com_sriov_net.sock');
    await k.waitFor(() => (k.latest(R)?.length ?? 0) === 2, 'first registration');
    for (let i = 1; i <= 20; i++) {
      const before = k.registrations.length;
      await k.restart();
      await k.waitFor(
        () => k.registrations.length > before && (k.latest(R)?.length ?? 0) === 2,
        `re-registration after restart ${i}`,
      );
      // The restart cleared the fake kubelet's connections, so devices listed again prove it dialed the re-created
      // socket back after the new Register.
      expect(existsSync(sock)).toBe(true);
      expect(k.registrations.at(-1)).toMatchObject({ endpoint: 'intel.com_sriov_net.sock', resourceName: R });
    }
    expect(k.registrations.filter((r) => r.resourceName === R).length).toBeGreaterThanOrEqual(21);
  });

  it('keeps retrying registration until kubelet.sock is back', async () => {
    const host = new FakeHost(pfWithVfs({ bus: '3b', pfName: 'ens1f0', count: 1 }));
    h = await startHarness(host, oneSelector);
    const k = h.kubelet;
    await k.waitFor(() => k.plugins.has(R), 'registration');
    k.failRegister = 'kubelet not ready';
    const before = k.registrations.length;
    await k.restart();
    await k.waitFor(() => k.registrations.length >= before + 2, 'two failed attempts');
    k.failRegister = null;
    await k.waitFor(() => (k.latest(R)?.length ?? 0) === 1 && k.registrations.length > before + 2, 'success');
  });
});

describe('plugin-watcher mode', () => {
  it('serves GetInfo on plugins_registry/<prefix>_<name>.sock and the DevicePlugin service on the same socket', async () => {
    const host = new FakeHost(pfWithVfs({ bus: '3b', pfName: 'ens1f0', count: 2 }));
    h = await startHarness(host, oneSelector, { watcher: true });
    const socket = join(h.root, 'plugins_registry', 'intel.com_sriov_net.sock');
    expect(existsSync(socket)).toBe(true);
    const info = await h.kubelet.watcherRegister(socket);
    expect(info).toEqual({
      type: 'DevicePlugin',
      name: R,
      endpoint: socket,
      supportedVersions: ['v1alpha1', 'v1beta1'],
    });
    await h.kubelet.waitFor(() => (h!.kubelet.latest(R)?.length ?? 0) === 2, 'devices');
    // No direct registration happened.
    expect(h.kubelet.registrations).toEqual([]);
    expect(readdirSync(h.dpDir)).toEqual(['kubelet.sock']);

    // kubelet de-registers a plugin whose socket vanished; the plugin re-creates it so kubelet finds it again.
    rmSync(socket);
    await h.kubelet.waitFor(() => h!.kubelet.plugins.get(R)!.ended, 'old stream ended');
    const { watch } = await import('node:fs');
    await new Promise<void>((resolve) => {
      if (existsSync(socket)) return resolve();
      const w = watch(join(h!.root, 'plugins_registry'), () => {
        if (existsSync(socket)) {
          w.close();
          resolve();
        }
      });
    });
    await h.kubelet.watcherRegister(socket);
    await h.kubelet.waitFor(
      () => (h!.kubelet.latest(R)?.length ?? 0) === 2 && !h!.kubelet.plugins.get(R)!.ended,
      'again',
    );
  });
});

describe('health from link events', () => {
  it('marks VFs Unhealthy when their PF link goes down and Healthy when it returns', async () => {
    const host = new FakeHost([
      ...pfWithVfs({ bus: '3b', pfName: 'ens1f0', count: 2 }),
      ...pfWithVfs({ bus: '3c', pfName: 'ens1f1', count: 1 }),
    ]);
    h = await startHarness(host, { resourceList: [{ resourceName: 'sriov_net', selectors: [{}] }] });
    const k = h.kubelet;
    const healthOf = () => Object.fromEntries((k.latest(R) ?? []).map((d) => [d.ID, d.health]));
    await k.waitFor(() => Object.keys(healthOf()).length === 3, 'devices');
    host.links.emit({ name: 'ens1f0', up: false, deleted: false });
    await k.waitFor(() => healthOf()['0000:3b:02.0'] === 'Unhealthy', 'unhealthy update');
    expect(healthOf()).toEqual({ '0000:3b:02.0': 'Unhealthy', '0000:3b:02.1': 'Unhealthy', '0000:3c:02.0': 'Healthy' });
    // Both VFs changed in one update.
    expect(k.latest(R)!.filter((d) => d.health === 'Unhealthy')).toHaveLength(2);
    host.links.emit({ name: 'ens1f0', up: true, deleted: false });
    await k.waitFor(() => healthOf()['0000:3b:02.0'] === 'Healthy', 'healthy again');
    host.links.emit({ name: 'ens1f1', up: false, deleted: true });
    await k.waitFor(() => healthOf()['0000:3c:02.0'] === 'Unhealthy', 'PF vanished');
  });

  it('a VF netdev moved into a pod stays Healthy; a VF whose PCI function vanished turns Unhealthy, then leaves', async () => {
    const host = new FakeHost(pfWithVfs({ bus: '3b', pfName: 'ens1f0', count: 3 }));
    h = await startHarness(
      host,
      { resourceList: [{ resourceName: 'sriov_net', selectors: [{}] }] },
      { linkRescanDelayMs: 50 },
    );
    const k = h.kubelet;
    const healthOf = () => Object.fromEntries((k.latest(R) ?? []).map((d) => [d.ID, d.health]));
    await k.waitFor(() => Object.keys(healthOf()).length === 3, 'devices');
    // CNI moves VF 0's netdev into a pod: the host sees it deleted, but the PCI function is still there.
    host.links.emit({ name: 'ens1f0v0', up: false, deleted: true });
    // VF 2 is removed (sriov_numvfs lowered): its netdev goes and so does its PCI function.
    host.snapshotValue = {
      ...host.snapshotValue,
      pci: host.snapshotValue.pci.filter((p) => p.address !== '0000:3b:02.2'),
    };
    host.links.emit({ name: 'ens1f0v2', up: false, deleted: true });
    await k.waitFor(() => healthOf()['0000:3b:02.2'] === 'Unhealthy', 'vanished VF unhealthy');
    expect(healthOf()['0000:3b:02.0']).toBe('Healthy');
    // The re-discovery the event scheduled then drops it.
    await k.waitFor(() => healthOf()['0000:3b:02.2'] === undefined && Object.keys(healthOf()).length === 2, 'dropped');
    expect(healthOf()).toEqual({ '0000:3b:02.0': 'Healthy', '0000:3b:02.1': 'Healthy' });
  });
});

describe('hot reload', () => {
  it('adds and removes pools on config edits, and keeps serving on an invalid edit', async () => {
    const host = new FakeHost([
      ...pfWithVfs({ bus: '3b', pfName: 'ens1f0', count: 2 }),
      ...pfWithVfs({ bus: '3c', pfName: 'ens1f1', count: 2 }),
    ]);
    h = await startHarness(host, oneSelector);
    const k = h.kubelet;
    await k.waitFor(() => (k.latest(R)?.length ?? 0) === 2, 'first pool');
    h.writeConfig({
      resourceList: [
        { resourceName: 'sriov_net', selectors: [{ pfNames: ['ens1f0#0'] }] },
        { resourceName: 'second', selectors: [{ pfNames: ['ens1f1'] }] },
      ],
    });
    await h.plugin.rescan('test');
    await k.waitFor(
      () => (k.latest('intel.com/second')?.length ?? 0) === 2 && k.latest(R)?.length === 1,
      'second pool + shrunk first pool',
    );
    expect(h.plugin.resources).toEqual(['intel.com/second', R]);

    h.writeConfig('{"resourceList": [{"resourceName": "bad name!", "selectors": [{}]}]}');
    await h.plugin.rescan('test');
    expect(h.plugin.resources).toEqual(['intel.com/second', R]);
    expect(k.plugins.get(R)!.ended).toBe(false);
    const again = await k.allocate(R, ['0000:3b:02.0']);
    expect(again.containerResponses[0]!.envs.PCIDEVICE_INTEL_COM_SRIOV_NET).toBe('0000:3b:02.0');

    h.writeConfig({ resourceList: [{ resourceName: 'second', selectors: [{ pfNames: ['ens1f1'] }] }] });
    await h.plugin.rescan('test');
    await k.waitFor(() => k.plugins.get(R)!.ended, 'removed pool stream ended');
    expect(existsSync(join(h.dpDir, 'intel.com_sriov_net.sock'))).toBe(false);
    expect(h.plugin.resources).toEqual(['intel.com/second']);
  });

  it('picks up a config edit from the file watch without an explicit rescan', async () => {
    const host = new FakeHost(pfWithVfs({ bus: '3b', pfName: 'ens1f0', count: 2 }));
    h = await startHarness(host, oneSelector, { watchConfig: true });
    const k = h.kubelet;
    await k.waitFor(() => k.plugins.has(R), 'first pool');
    writeFileSync(h.configFile, JSON.stringify({ resourceList: [{ resourceName: 'renamed', selectors: [{}] }] }));
    await k.waitFor(() => (k.latest('intel.com/renamed')?.length ?? 0) === 2, 'renamed pool');
  });

  it('follows device changes (VFs created or removed) on re-discovery', async () => {
    const host = new FakeHost(pfWithVfs({ bus: '3b', pfName: 'ens1f0', count: 2 }));
    h = await startHarness(host, oneSelector);
    const k = h.kubelet;
    await k.waitFor(() => (k.latest(R)?.length ?? 0) === 2, 'two VFs');
    host.snapshotValue = { ...host.snapshotValue, pci: pfWithVfs({ bus: '3b', pfName: 'ens1f0', count: 4 }) };
    await h.plugin.rescan('numvfs');
    await k.waitFor(() => (k.latest(R)?.length ?? 0) === 4, 'four VFs');
    host.snapshotValue = {
      ...host.snapshotValue,
      pci: [pci({ address: '0000:3b:00.0', netdevs: ['ens1f0'], sriovCapable: true })],
    };
    await h.plugin.rescan('numvfs');
    await k.waitFor(() => k.plugins.get(R)!.ended, 'pool without devices stopped');
  });
});

// Read-only run against this machine's real /sys: whatever PCI devices it has, every one must parse.
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { missingPrerequisites } from '@sriov-ts/test-support';
import { describe, expect, it } from 'vitest';
import { createSysfs, isCanonicalPciAddress } from '../src/index.js';

const noPciSysfs = missingPrerequisites('sysfs-pci on the real /sys', [
  { what: '/sys/bus/pci/devices', ok: existsSync('/sys/bus/pci/devices') },
]);

describe.skipIf(noPciSysfs !== null)('real /sys (read-only)', () => {
  const sysfs = createSysfs();

  it('lists exactly the PCI functions the kernel shows', () => {
    const kernel = readdirSync('/sys/bus/pci/devices').sort();
    expect(kernel.every(isCanonicalPciAddress)).toBe(true);
    expect(sysfs.listPciDevices()).toEqual(kernel);
  });

  it('parses every real device into a snapshot', () => {
    const devices = sysfs.scanDevices();
    expect(devices.length).toBe(readdirSync('/sys/bus/pci/devices').length);
    for (const info of devices) {
      expect(info.vendor).toMatch(/^[0-9a-f]{4}$/);
      expect(info.device).toMatch(/^[0-9a-f]{4}$/);
      expect(info.classCode).toMatch(/^[0-9a-f]{6}$/);
      // The driver is the basename of the kernel's own link.
      const driverLink = `/sys/bus/pci/devices/${info.address}/driver`;
      const expected = existsSync(driverLink) ? readlinkSync(driverLink).split('/').pop() : null;
      expect(info.driver).toBe(expected);
      if (info.modalias !== null) {
        expect(info.modalias.toLowerCase()).toContain(`v0000${info.vendor}d0000${info.device}`);
        expect(info.modalias.toLowerCase()).toContain(`bc${info.baseClass}`);
      }
      if (info.numaNode !== null) expect(info.numaNode).toBeGreaterThanOrEqual(0);
      if (info.physfn !== null) expect(info.vfIndex).not.toBeNull();
      for (const vf of info.vfs) expect(sysfs.pfOfVf(vf.address)).toBe(info.address);
      expect(sysfs.deviceInfo(info.address)).toEqual(info);
    }
  });

  it('maps every real netdev with a device link to a listed PCI function (or to none)', () => {
    const all = new Set(sysfs.listPciDevices());
    for (const ifname of readdirSync('/sys/class/net')) {
      const address = sysfs.netdevPciAddress(ifname);
      if (address !== null) expect(all.has(address)).toBe(true);
      expect(sysfs.netdevType(ifname)).toBeGreaterThan(0);
      expect(sysfs.netdevIsVf(ifname)).toBe(existsSync(`/sys/class/net/${ifname}/device/physfn`));
    }
  });
});

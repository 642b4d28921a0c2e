// CDI mode (`--use-cdi`, reference §4.5): Allocate returns annotations `cdi.k8s.io/<prefix>_<kind>` naming
// `<prefix>/<kind>=<id>` devices instead of DeviceSpecs, and one spec file per pool lists every pool device with
// its device nodes. Spec files are YAML written by hand (a tiny, fixed shape; no YAML library needed).
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceSpecOut } from './allocate.js';
import type { DeviceType } from './types.js';

export const CDI_VERSION = '0.5.0';
export const DEFAULT_CDI_DIRS = ['/etc/cdi', '/var/run/cdi'] as const;
export const SPEC_FILE_PREFIX = 'sriov-dp-';

export function cdiKind(deviceType: DeviceType): string {
  return deviceType === 'accelerator' ? 'net-accel' : deviceType === 'auxNetDevice' ? 'net-sf' : 'net-pci';
}

/** CDI's AnnotationKey rule for the name part: ≤63 chars, alphanumeric at both ends, only `_ - .` inside. */
export function cdiAnnotationKey(prefix: string, kind: string): string {
  const name = `${prefix}_${kind}`;
  if (name.length > 63 || !/^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$/.test(name)) {
    throw new Error(`CDI: invalid annotation name ${JSON.stringify(name)}`);
  }
  return `cdi.k8s.io/${name}`;
}

export function cdiAnnotations(prefix: string, deviceType: DeviceType, ids: string[]): Record<string, string> {
  const kind = cdiKind(deviceType);
  return { [cdiAnnotationKey(prefix, kind)]: ids.map((id) => `${prefix}/${kind}=${id}`).join(',') };
}

export function specFileName(prefix: string, deviceType: DeviceType, resourceName: string): string {
  const name = `${SPEC_FILE_PREFIX}${prefix}-${cdiKind(deviceType)}-${resourceName}.yaml`;
  if (name.includes('/')) throw new Error(`CDI: unsafe spec file name ${name}`);
  return name;
}

const q = (s: string) => JSON.stringify(s);

export function specYaml(prefix: string, deviceType: DeviceType, devices: { id: string; specs: DeviceSpecOut[] }[]) {
  const lines = [`cdiVersion: ${q(CDI_VERSION)}`, `kind: ${q(`${prefix}/${cdiKind(deviceType)}`)}`, 'devices:'];
  if (devices.length === 0) lines[lines.length - 1] = 'devices: []';
  for (const dev of devices) {
    lines.push(`- name: ${q(dev.id)}`, '  containerEdits:');
    if (dev.specs.length === 0) {
      lines.push('    deviceNodes: []');
      continue;
    }
    lines.push('    deviceNodes:');
    for (const s of dev.specs) {
      lines.push(
        `    - path: ${q(s.containerPath)}`,
        `      hostPath: ${q(s.hostPath)}`,
        `      permissions: ${q('rw')}`,
      );
    }
  }
  lines.push('containerEdits: {}');
  return `${lines.join('\n')}\n`;
}

export class CdiSpecs {
  /** `dirs[dirs.length-1]` is where specs are written (the highest-priority dir, /var/run/cdi). */
  constructor(readonly dirs: readonly string[] = DEFAULT_CDI_DIRS) {}

  write(
    prefix: string,
    deviceType: DeviceType,
    resourceName: string,
    devices: { id: string; specs: DeviceSpecOut[] }[],
  ) {
    const dir = this.dirs[this.dirs.length - 1]!;
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const path = join(dir, specFileName(prefix, deviceType, resourceName));
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, specYaml(prefix, deviceType, devices), { mode: 0o644 });
    renameSync(tmp, path);
  }

  remove(prefix: string, deviceType: DeviceType, resourceName: string) {
    for (const dir of this.dirs) rmSync(join(dir, specFileName(prefix, deviceType, resourceName)), { force: true });
  }

  /** Deletes every `sriov-dp-*` spec in all CDI dirs (start-up and shutdown, as the Go plugin does). */
  cleanAll() {
    for (const dir of this.dirs) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names) if (n.startsWith(SPEC_FILE_PREFIX)) rmSync(join(dir, n), { force: true });
    }
  }
}

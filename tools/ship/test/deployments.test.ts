// Every manifest under deployments/: parses as YAML (every document), validates against the Kubernetes OpenAPI
// models (kubernetes-models), and agrees with the rest of the repository: CNI netconfs and device plugin configs go
// through @sriov-ts/netconf-schema, NAD resource names exist in a device plugin config, installer DaemonSets use the
// installer's flags and mount the host's /opt/cni/bin, images are the ship images.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDevicePluginConfig, parseIbSriovNetConf, parseSriovNetConf } from '@sriov-ts/netconf-schema';
import { parseArgs as parseSriovdpArgs } from '@sriov-ts/sriov-device-plugin';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Pod } from 'kubernetes-models/v1/Pod';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SHIP_APPS } from '../src/apps.js';
import { REPO_ROOT } from '../src/build-exe.js';
import { parseInstallerArgs } from '../src/runtime/cni-installer.js';

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
} & Record<string, unknown>;

const dir = join(REPO_ROOT, 'deployments');
function yamlFiles(d: string): string[] {
  return readdirSync(d).flatMap((f) => {
    const p = join(d, f);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(f) ? [p] : [];
  });
}
const files = yamlFiles(dir)
  .map((f) => relative(REPO_ROOT, f))
  .sort();
const manifests: { file: string; doc: Manifest }[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(REPO_ROOT, file), 'utf8'), { strict: true, uniqueKeys: true }).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
    return { file, doc: d.toJS() as Manifest };
  }),
);
const ofKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind);

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1 DaemonSet': DaemonSet,
  'v1 ConfigMap': ConfigMap,
  'v1 Pod': Pod,
  'v1 ServiceAccount': ServiceAccount,
};

describe('deployments/', () => {
  it('has the installer DaemonSets, the device plugin DaemonSet, device plugin configs and both NADs', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    const names = ofKind('DaemonSet').map((m) => m.doc.metadata.name);
    expect(names).toEqual(
      expect.arrayContaining(['kube-sriov-cni-ds', 'kube-ib-sriov-cni-ds', 'kube-sriov-device-plugin']),
    );
    const nadTypes = ofKind('NetworkAttachmentDefinition').map(
      (m) => JSON.parse((m.doc.spec as { config: string }).config).type,
    );
    expect(nadTypes).toEqual(expect.arrayContaining(['sriov', 'ib-sriov']));
  });

  it.each(manifests.map((m) => [`${m.file} ${m.doc.kind}/${m.doc.metadata?.name}`, m] as const))(
    '%s is a valid object',
    (_, { doc }) => {
      if (doc.kind === 'NetworkAttachmentDefinition') {
        // A CRD (k8s.cni.cncf.io/v1): no model package; its schema is apiVersion, metadata, spec.config (a string).
        expect(doc.apiVersion).toBe('k8s.cni.cncf.io/v1');
        expect(doc.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        expect(Object.keys(doc.spec as object)).toEqual(['config']);
        expect(typeof (doc.spec as { config: unknown }).config).toBe('string');
        return;
      }
      const Model = MODELS[`${doc.apiVersion} ${doc.kind}`];
      expect(Model, `no model for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
      expect(() => new Model!(doc as never).validate()).not.toThrow();
    },
  );

  it('the model validation really rejects a broken object (the check can fail)', () => {
    const ds = structuredClone(ofKind('DaemonSet')[0]!.doc) as unknown as {
      spec: { template: { spec: { containers: { image: unknown }[] } } };
    };
    ds.spec.template.spec.containers[0]!.image = 42;
    expect(() => new DaemonSet(ds as never).validate()).toThrow(/image must be string/);
  });

  it('NAD configs parse as sriov / ib-sriov netconfs and name a resource that a device plugin config defines', () => {
    const resources = new Set<string>();
    for (const { doc } of ofKind('ConfigMap')) {
      for (const [key, text] of Object.entries((doc as { data?: Record<string, string> }).data ?? {})) {
        const parsed = parseDevicePluginConfig(text);
        expect(parsed.ok, `${doc.metadata.name}/${key}: ${JSON.stringify(parsed)}`).toBe(true);
        if (!parsed.ok) continue;
        expect(parsed.config.skipped).toEqual([]);
        for (const pool of parsed.config.resources) resources.add(pool.fullName);
      }
    }
    const nads = ofKind('NetworkAttachmentDefinition');
    expect(nads.length).toBeGreaterThanOrEqual(2);
    for (const { file, doc } of nads) {
      const config = (doc.spec as { config: string }).config;
      const type = JSON.parse(config).type;
      // What the plugin receives: Multus adds the VF the device plugin allocated as `deviceID`.
      const delivered = JSON.stringify({ ...JSON.parse(config), deviceID: '0000:af:06.0' });
      const parsed = type === 'sriov' ? parseSriovNetConf(delivered) : parseIbSriovNetConf(delivered);
      expect(parsed.ok, `${file}: ${JSON.stringify(parsed)}`).toBe(true);
      const resource = doc.metadata.annotations?.['k8s.v1.cni.cncf.io/resourceName'];
      expect(resource, `${file} has no k8s.v1.cni.cncf.io/resourceName`).toBeDefined();
      expect([...resources]).toContain(resource);
    }
  });

  it('installer DaemonSets run the ship image with installer flags, mount /opt/cni/bin and drop every capability', () => {
    for (const [name, app] of Object.entries(SHIP_APPS).filter(([, a]) => a.kind === 'cni')) {
      const ds = ofKind('DaemonSet').find((m) => m.file.startsWith(`deployments/${name}/`));
      expect(ds, `deployments/${name}/ has no DaemonSet`).toBeDefined();
      const spec = (ds!.doc.spec as { template: { spec: unknown } }).template.spec as {
        containers: {
          image: string;
          args?: string[];
          securityContext: Record<string, unknown>;
          volumeMounts: { name: string; mountPath: string }[];
        }[];
        volumes: { name: string; hostPath?: { path: string } }[];
        tolerations: unknown[];
        nodeSelector: Record<string, string>;
      };
      const c = spec.containers[0]!;
      expect(c.image).toMatch(new RegExp(`/${app.image}:\\d+\\.\\d+\\.\\d+`));
      const flags = parseInstallerArgs(c.args ?? [], app.exe, app.binFileFlag!);
      const mount = c.volumeMounts.find((m) => m.mountPath === flags.cniBinDir);
      expect(mount).toBeDefined();
      expect(spec.volumes.find((v) => v.name === mount!.name)?.hostPath?.path).toBe('/opt/cni/bin');
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(spec.tolerations.length).toBeGreaterThan(0);
      expect(spec.nodeSelector['kubernetes.io/os']).toBe('linux');
    }
  });

  it('the device plugin DaemonSet runs the ship image (its entrypoint, no command) with flags sriovdp accepts', () => {
    const ds = ofKind('DaemonSet').find((m) => m.doc.metadata.name === 'kube-sriov-device-plugin');
    expect(ds).toBeDefined();
    const spec = (ds!.doc.spec as { template: { spec: unknown } }).template.spec as {
      containers: {
        image: string;
        command?: string[];
        args?: string[];
        volumeMounts: { name: string; mountPath: string }[];
      }[];
      volumes: { name: string; configMap?: { name: string } }[];
    };
    const c = spec.containers[0]!;
    expect(c.image).toMatch(new RegExp(`/${SHIP_APPS['sriov-device-plugin']!.image}:\\d+\\.\\d+\\.\\d+`));
    expect(c.command).toBeUndefined();
    const opts = parseSriovdpArgs(c.args ?? []);
    // The config file lives on the ConfigMap volume, and that ConfigMap is one of the examples.
    const mount = c.volumeMounts.find((m) => opts.configFile.startsWith(`${m.mountPath}/`));
    expect(mount, `no volume mounted over ${opts.configFile}`).toBeDefined();
    const configMap = spec.volumes.find((v) => v.name === mount!.name)?.configMap?.name;
    expect(ofKind('ConfigMap').map((m) => m.doc.metadata.name)).toContain(configMap);
  });
});

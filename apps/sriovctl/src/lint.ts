// Lint a device plugin config or a CNI netconf (a single netconf, a conflist, or a NetworkAttachmentDefinition's
// `spec.config` in JSON) with @sriov-ts/netconf-schema: the errors and warnings the plugins themselves would give.
import {
  type NetConfError,
  type ParseResult,
  parseDevicePluginConfig,
  parseIbSriovNetConf,
  parseSriovNetConf,
} from '@sriov-ts/netconf-schema';

export type LintKind = 'auto' | 'device-plugin' | 'sriov' | 'ib-sriov';
export const LINT_KINDS: readonly LintKind[] = ['auto', 'device-plugin', 'sriov', 'ib-sriov'];

export interface LintFinding {
  /** What was checked: `device-plugin`, `sriov`, `ib-sriov`, or `plugins[N] (sriov)` inside a conflist. */
  target: string;
  ok: boolean;
  error: NetConfError | null;
  warnings: readonly string[];
  /** For a valid device plugin config: the pools it declares. */
  pools?: string[];
}

export class LintInputError extends Error {
  override readonly name = 'LintInputError';
}

function asObject(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function finding<T>(target: string, r: ParseResult<T>, pools?: string[]): LintFinding {
  return r.ok
    ? { target, ok: true, error: null, warnings: r.warnings, ...(pools ? { pools } : {}) }
    : { target, ok: false, error: r.error, warnings: r.warnings };
}

function lintDevicePlugin(text: string, resourcePrefix: string | undefined): LintFinding {
  const r = parseDevicePluginConfig(text, resourcePrefix ? { defaultResourcePrefix: resourcePrefix } : {});
  return finding('device-plugin', r, r.ok ? r.config.resources.map((p) => p.fullName) : undefined);
}

function lintNetconf(target: string, type: string, input: unknown): LintFinding {
  return type === 'ib-sriov' ? finding(target, parseIbSriovNetConf(input)) : finding(target, parseSriovNetConf(input));
}

/** Lints `text`; `kind` `auto` decides from the document (resourceList → device plugin, plugins[] → conflist). */
export function lint(text: string, kind: LintKind = 'auto', resourcePrefix?: string): LintFinding[] {
  if (kind === 'device-plugin') return [lintDevicePlugin(text, resourcePrefix)];
  if (kind === 'sriov' || kind === 'ib-sriov') return [lintNetconf(kind, kind, text)];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new LintInputError(`not JSON (${(e as Error).message}); pass --kind to lint it as a given type anyway`);
  }
  let obj = asObject(doc);
  // A NetworkAttachmentDefinition (as JSON): lint its spec.config.
  const spec = obj && asObject(obj.spec);
  if (obj && obj.kind === 'NetworkAttachmentDefinition' && typeof spec?.config === 'string') {
    try {
      obj = asObject(JSON.parse(spec.config));
    } catch (e) {
      throw new LintInputError(`spec.config of the NetworkAttachmentDefinition is not JSON: ${(e as Error).message}`);
    }
    if (!obj) throw new LintInputError('spec.config of the NetworkAttachmentDefinition is not a JSON object');
    text = JSON.stringify(obj);
  }
  if (!obj) throw new LintInputError('the document is not a JSON object');
  if ('resourceList' in obj) return [lintDevicePlugin(text, resourcePrefix)];
  if (Array.isArray(obj.plugins)) {
    const out: LintFinding[] = [];
    obj.plugins.forEach((p, i) => {
      const plugin = asObject(p);
      const type = plugin?.type;
      if (type !== 'sriov' && type !== 'ib-sriov') return;
      // libcni hands each plugin the conflist's name and cniVersion.
      out.push(lintNetconf(`plugins[${i}] (${type})`, type, { cniVersion: obj.cniVersion, name: obj.name, ...plugin }));
    });
    if (out.length === 0) throw new LintInputError('the conflist has no plugin of type sriov or ib-sriov');
    return out;
  }
  if (obj.type === 'sriov' || obj.type === 'ib-sriov') return [lintNetconf(obj.type, obj.type, text)];
  throw new LintInputError(
    'cannot tell what this is: expected a device plugin config (resourceList), a netconf of type sriov or ' +
      'ib-sriov, a conflist, or a NetworkAttachmentDefinition; pass --kind',
  );
}

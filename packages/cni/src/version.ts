// CNI spec versions: the list, Go-compatible parsing/comparison, and the config version decoder.
import { CniError, ErrDecodingFailure } from './errors.js';
import { goQuote, goQuoteList } from './go-format.js';

/** Every spec version, oldest first: Go `version.All`, what upstream sriov-cni and ib-sriov-cni advertise. */
export const ALL_VERSIONS: readonly string[] = /* @__PURE__ */ Object.freeze([
  '0.1.0',
  '0.2.0',
  '0.3.0',
  '0.3.1',
  '0.4.0',
  '1.0.0',
  '1.1.0',
]);

/** Go `version.Current()`. */
export const CURRENT_VERSION = '1.1.0';

/**
 * Go `version.ParseVersion`: "" means 0.1.0; up to three dot-separated integer parts (missing parts are 0).
 * Throws an Error whose message is Go's.
 */
export function parseVersion(version: string): [major: number, minor: number, micro: number] {
  if (version === '') return [0, 1, 0];
  const parts = version.split('.');
  if (parts.length >= 4) throw new Error(`invalid version ${goQuote(version)}: too many parts`);
  const names = ['major', 'minor', 'micro'] as const;
  const out: [number, number, number] = [0, 0, 0];
  parts.forEach((part, i) => {
    const n = goAtoi(part);
    if (n === null) {
      throw new Error(
        `failed to convert ${names[i]} version part ${goQuote(part)}: strconv.Atoi: parsing ${goQuote(part)}: invalid syntax`,
      );
    }
    out[i] = n;
  });
  return out;
}

function goAtoi(s: string): number | null {
  if (!/^[+-]?\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** Go `version.GreaterThanOrEqualTo(version, other)`; throws (Go's message) when either does not parse. */
export function versionAtLeast(version: string, other: string): boolean {
  const [a1, b1, c1] = parseVersion(version);
  const [a2, b2, c2] = parseVersion(other);
  if (a1 !== a2) return a1 > a2;
  if (b1 !== b2) return b1 > b2;
  return c1 >= c2;
}

/** The three result shapes the spec has had. */
export type ResultFormat = '0.2' | '0.4' | '1.x';

/** Which result shape a version prints, or null for a version no result type exists for. */
export function resultFormatOf(version: string): ResultFormat | null {
  switch (version) {
    case '':
    case '0.1.0':
    case '0.2.0':
      return '0.2';
    case '0.3.0':
    case '0.3.1':
    case '0.4.0':
      return '0.4';
    case '1.0.0':
    case '1.1.0':
      return '1.x';
    default:
      return null;
  }
}

/**
 * The `cniVersion` of a parsed network config as Go's version.ConfigDecoder reads it: absent or "" is
 * "0.1.0"; a non-string is a decoding failure (code 6).
 */
export function configVersionOf(conf: Readonly<Record<string, unknown>>): string {
  const v = conf.cniVersion;
  if (v === undefined || v === null || v === '') return '0.1.0';
  if (typeof v !== 'string') {
    throw new CniError(
      ErrDecodingFailure,
      `decoding version from network config: cniVersion must be a string, got ${jsonTypeName(v)}`,
    );
  }
  return v;
}

export function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Details text of Go's ErrorIncompatible: `config is "X", plugin supports ["0.1.0" ...]`. */
export function incompatibleVersionDetails(configVersion: string, supported: readonly string[]): string {
  return `config is ${goQuote(configVersion)}, plugin supports ${goQuoteList(supported)}`;
}

/** The VERSION reply object. */
export interface VersionInfo {
  cniVersion: string;
  supportedVersions: string[];
}

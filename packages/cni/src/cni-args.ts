// CNI_ARGS ("K1=V1;K2=V2"). Two readers:
// - loadArgs(): Go types.LoadArgs semantics and messages, for keys a plugin declares (strict: every pair must be
//   exactly K=V; unknown keys are an error unless IgnoreUnknown is 1/true, in any position, any case);
// - parseCniArgsLenient(): how Multus/CRI-O read it (split on the first "=", skip empty segments, never fail),
//   for best-effort lookups such as K8S_POD_NAME.
import { goQuote, goQuoteList } from './go-format.js';

/** Go's UnmarshallableBool: 1/true → true, 0/false → false (case-insensitive), else an error. */
function parseGoBool(value: string): boolean | Error {
  const s = value.toLowerCase();
  if (s === '1' || s === 'true') return true;
  if (s === '0' || s === 'false') return false;
  return new Error(`boolean unmarshal error: invalid input ${s}`);
}

export interface LoadedArgs<K extends string> {
  /** Values of the declared keys present in CNI_ARGS (the last occurrence wins, as in Go). */
  values: Partial<Record<K, string>>;
  ignoreUnknown: boolean;
  /** The unknown pairs that IgnoreUnknown allowed through, verbatim. */
  unknown: string[];
}

/**
 * Go `types.LoadArgs` into a struct with CommonArgs (IgnoreUnknown) plus string fields named `keys` (keys match
 * case-sensitively, as Go field names do). Errors (plain Error, Go's text):
 * `ARGS: invalid pair "<pair>"`, `ARGS: error parsing value of pair "<pair>": boolean unmarshal error: invalid
 * input <v>`, `ARGS: unknown args ["<pair>" ...]`. An empty string has no args.
 */
export function loadArgs<K extends string>(cniArgs: string, keys: readonly K[]): LoadedArgs<K> {
  const out: LoadedArgs<K> = { values: {}, ignoreUnknown: false, unknown: [] };
  if (cniArgs === '') return out;
  const known = new Set<string>(keys);
  for (const pair of cniArgs.split(';')) {
    const kv = pair.split('=');
    if (kv.length !== 2) throw new Error(`ARGS: invalid pair ${goQuote(pair)}`);
    const [key, value] = kv as [string, string];
    if (key === 'IgnoreUnknown') {
      const b = parseGoBool(value);
      if (b instanceof Error) throw new Error(`ARGS: error parsing value of pair ${goQuote(pair)}: ${b.message}`);
      out.ignoreUnknown = b;
    } else if (known.has(key)) {
      out.values[key as K] = value;
    } else {
      out.unknown.push(pair);
    }
  }
  if (out.unknown.length > 0 && !out.ignoreUnknown) throw new Error(`ARGS: unknown args ${goQuoteList(out.unknown)}`);
  return out;
}

/** Lenient reader: split on ";", then on the first "="; segments without "=" or with an empty key are skipped. */
export function parseCniArgsLenient(cniArgs: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const segment of cniArgs.split(';')) {
    const eq = segment.indexOf('=');
    if (eq <= 0) continue;
    out.set(segment.slice(0, eq), segment.slice(eq + 1));
  }
  return out;
}

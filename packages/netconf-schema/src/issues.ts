import type { $ZodIssue } from 'zod/v4/core';
import { goTypeError, valueAt } from './go-json.js';

/** Go type names, for rebuilding UnmarshalTypeError text from a zod issue. */
export interface GoTypeNames {
  /** Name of the Go struct that holds the field at `path` (Go prints the innermost struct). */
  structOf(path: readonly PropertyKey[]): string;
  /** Go type of the field at `path` when zod expected `expected`. */
  typeOf(path: readonly PropertyKey[], expected: string): string;
}

const SCALAR_GO_TYPES: Record<string, string> = {
  string: 'string',
  int: 'int',
  number: 'int',
  boolean: 'bool',
  array: '[]string',
  record: 'map[string]string',
};

export function scalarGoType(expected: string): string | undefined {
  return SCALAR_GO_TYPES[expected];
}

/**
 * The issue Go would have reported first: Go decodes in document order, so the issue whose top-level key comes
 * first in the (canonical, insertion-ordered) input wins.
 */
export function firstIssueInDocumentOrder(issues: readonly $ZodIssue[], input: object): $ZodIssue {
  const order = Object.keys(input);
  let best = issues[0]!;
  let bestRank = Number.POSITIVE_INFINITY;
  for (const issue of issues) {
    const rank = order.indexOf(String(issue.path[0]));
    const r = rank === -1 ? Number.MAX_SAFE_INTEGER : rank;
    if (r < bestRank) {
      best = issue;
      bestRank = r;
    }
  }
  return best;
}

export function issueToGoMessage(issue: $ZodIssue, input: unknown, names: GoTypeNames): string {
  const path = issue.path;
  const dotted = path.map(String).join('.');
  const value = valueAt(input, path);
  // invalid_type names the expected type; a range issue from z.int() (outside the safe integers) names its origin.
  const expected =
    issue.code === 'invalid_type' ? String(issue.expected) : String((issue as { origin?: unknown }).origin ?? 'string');
  return goTypeError(names.structOf(path), dotted, value, names.typeOf(path, expected));
}

/** The plugin's own fields' Go names; `undefined` falls through to the embedded CNI types. */
export interface OwnGoTypeNames {
  structOf?(path: readonly PropertyKey[]): string | undefined;
  typeOf?(path: readonly PropertyKey[], expected: string): string | undefined;
}

/**
 * Go type names of a plugin `NetConf` that embeds the CNI `types.PluginConf` (ipam, dns, capabilities, prevResult)
 * and has a `runtimeConfig`: the plugin's own names first, then the embedded types', then the scalars'.
 */
export function pluginNetConfGoNames(own: OwnGoTypeNames = {}): GoTypeNames {
  return {
    structOf(path) {
      const mine = own.structOf?.(path);
      if (mine !== undefined) return mine;
      if (path.length > 1 && path[0] === 'ipam') return 'IPAM';
      if (path.length > 1 && path[0] === 'dns') return 'DNS';
      if (path.length > 1 && path[0] === 'runtimeConfig') return 'RuntimeConf';
      return 'NetConf';
    },
    typeOf(path, expected) {
      const mine = own.typeOf?.(path, expected);
      if (mine !== undefined) return mine;
      const top = String(path[0]);
      if (path.length === 1 && top === 'ipam') return 'types.IPAM';
      if (path.length === 1 && top === 'dns') return 'types.DNS';
      if (path.length === 1 && top === 'runtimeConfig') return 'types.RuntimeConf';
      if (path.length === 1 && top === 'capabilities') return 'map[string]bool';
      if (path.length === 1 && top === 'prevResult') return 'map[string]interface {}';
      if (top === 'capabilities') return 'bool';
      return scalarGoType(expected) ?? expected;
    },
  };
}

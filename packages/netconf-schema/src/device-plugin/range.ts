import { goAtoi } from '../go-json.js';

export interface IndexRange {
  readonly first: number;
  readonly last: number;
}

/**
 * A `pfNames` / `rootDevices` entry: `<name>[#<items>]`, items `N` or `A-B` (inclusive, 0-based VF index for
 * netDevice, `sfnum` for auxNetDevice), comma-separated, e.g. `ens1f0#0-3,5`.
 */
export interface IndexedNameSelector {
  readonly raw: string;
  /** The PF netdev name (compared case-insensitively) or PF PCI address before `#`. */
  readonly name: string;
  /** Absent: every function of that PF. Present: only these indices (empty when nothing valid remained). */
  readonly ranges?: readonly IndexRange[];
  /** Items the Go plugin skips (they match nothing; it only prints a line to stdout). */
  readonly problems: readonly string[];
}

/** Parses the `#` range syntax the way the Go device plugin reads it (bad items are dropped, not fatal). */
export function parseIndexedName(raw: string): IndexedNameSelector {
  const hash = raw.indexOf('#');
  if (hash === -1) return { raw, name: raw, problems: [] };
  const fields = raw.split('#');
  if (fields.length !== 2) {
    return { raw, name: fields[0]!, ranges: [], problems: [`${raw}: more than one "#"; the selector matches nothing`] };
  }
  const [name, list] = fields as [string, string];
  const ranges: IndexRange[] = [];
  const problems: string[] = [];
  for (const item of list.split(',')) {
    if (item.includes('-')) {
      const bounds = item.split('-');
      if (bounds.length !== 2) {
        problems.push(`${raw}: "${item}" is not a range A-B`);
        continue;
      }
      const first = goAtoi(bounds[0]!);
      const last = goAtoi(bounds[1]!);
      if (!first.ok) problems.push(`${raw}: start of range "${item}" is not a number`);
      else if (!last.ok) problems.push(`${raw}: end of range "${item}" is not a number`);
      else if (last.value < first.value) problems.push(`${raw}: range "${item}" ends before it starts`);
      else ranges.push({ first: first.value, last: last.value });
    } else {
      const index = goAtoi(item);
      if (!index.ok) problems.push(`${raw}: index "${item}" is not a number`);
      else ranges.push({ first: index.value, last: index.value });
    }
  }
  return { raw, name, ranges, problems };
}

/** Whether `index` is selected (no ranges = all). */
export function selectsIndex(selector: IndexedNameSelector, index: number): boolean {
  if (selector.ranges === undefined) return true;
  return selector.ranges.some((r) => index >= r.first && index <= r.last);
}

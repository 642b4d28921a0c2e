// Reading and writing JSON the way Go's encoding/json does for the plugins' cache files, so a node can switch
// between the Go and TypeScript plugins with pods running: keys match case-insensitively (the last duplicate
// wins), unknown keys are ignored, a wrong JSON type is an error, absent fields take Go's zero value.

export type GoKind = 'string' | 'number' | 'boolean';
/** [our field, Go key, JSON type] rows a struct is converted by, in both directions. */
export type GoFieldTable<T> = readonly (readonly [keyof T & string, string, GoKind])[];

const ZERO: Record<GoKind, string | number | boolean> = { string: '', number: 0, boolean: false };

/** A cache file that is not what Go would have written or read. */
export class GoJsonError extends Error {}

/** A JSON object with its keys lower-cased, ready for goField; `what` names it in the error. */
export function goObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GoJsonError(`${what} is not an object`);
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) out[k.toLowerCase()] = val;
  return out;
}

/** goObject of a nested key; absent or null is an empty object (Go leaves the struct zero). */
export function goSubObject(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = obj[key.toLowerCase()];
  return v === undefined || v === null ? {} : goObject(v, key);
}

/** One field of a goObject by its Go key; undefined when absent or null, GoJsonError when of another type. */
export function goField<T extends string | number | boolean>(
  obj: Record<string, unknown>,
  key: string,
  kind: GoKind,
  what = key,
): T | undefined {
  const v = obj[key.toLowerCase()];
  if (v === undefined || v === null) return undefined;
  const ok = kind === 'number' ? Number.isInteger(v) : typeof v === kind;
  if (!ok) throw new GoJsonError(`${what} is not ${kind === 'number' ? 'an integer' : `a ${kind}`}`);
  return v as T;
}

/** A struct read by its table from a goObject; `prefix` names the fields in errors ("OrigVfState."). */
export function fromGoFields<T>(obj: Record<string, unknown>, table: GoFieldTable<T>, prefix = ''): T {
  return Object.fromEntries(
    table.map(([ours, go, kind]) => [ours, goField(obj, go, kind, `${prefix}${go}`) ?? ZERO[kind]]),
  ) as T;
}

/** A struct written under its Go keys, in table order. */
export function toGoFields<T>(value: T, table: GoFieldTable<T>): Record<string, unknown> {
  return Object.fromEntries(table.map(([ours, go]) => [go, value[ours]]));
}

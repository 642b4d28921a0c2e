/**
 * What Go's `encoding/json` does when it decodes a config into a struct, reproduced for the keys we know:
 * unknown keys are ignored, keys match field names exactly first and then case-insensitively (Go's fold:
 * ASCII letters plus the two non-ASCII runes that fold into ASCII, U+017F 'ſ' → 'S' and U+212A 'K' → 'K'),
 * `null` leaves a plain field alone and clears a pointer field, and a value of the wrong JSON kind is an
 * `UnmarshalTypeError` whose text we rebuild.
 */

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type DecodedDocument = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Raw stdin (`string` or bytes) is parsed as JSON; any other value is taken as an already-decoded JSON value.
 * Invalid UTF-8 is replaced (Go does the same inside strings).
 */
export function decodeDocument(input: unknown): DecodedDocument {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return { ok: true, value: input };
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Go's `foldName` restricted to what can equal an ASCII field name; undefined when the key can never match. */
export function goFoldKey(key: string): string | undefined {
  let out = '';
  for (const ch of key) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += ch.toUpperCase();
    else if (cp === 0x17f) out += 'S';
    else if (cp === 0x212a) out += 'K';
    else return undefined;
  }
  return out;
}

export interface GoStruct {
  /** Canonical JSON names (the Go tag, or the Go field name for untagged fields), in declaration order. */
  readonly fields: readonly string[];
  /** Fields declared as Go pointers: JSON `null` resets them to "absent" (for plain fields `null` is a no-op). */
  readonly pointers?: readonly string[];
}

/**
 * Returns a new object holding only the known fields under their canonical names, in the order Go first met them.
 * When several keys fold to the same field the last one wins, as in Go.
 */
export function canonicalize(object: JsonObject, struct: GoStruct): JsonObject {
  const exact = new Map<string, string>();
  const folded = new Map<string, string>();
  for (const name of struct.fields) {
    exact.set(name, name);
    const f = goFoldKey(name);
    if (f !== undefined) folded.set(f, name);
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    let name = exact.get(key);
    if (name === undefined) {
      const f = goFoldKey(key);
      name = f === undefined ? undefined : folded.get(f);
    }
    if (name === undefined) continue;
    if (value === null) {
      if (struct.pointers?.includes(name)) delete out[name];
      continue;
    }
    out[name] = value;
  }
  return out;
}

/** Keys of `object` that Go ignores for this struct (used for warnings). */
export function unknownKeys(object: JsonObject, struct: GoStruct): string[] {
  const known = new Set(struct.fields.map((f) => goFoldKey(f)));
  return Object.keys(object).filter((k) => !known.has(goFoldKey(k)));
}

/** The `Value` part of Go's UnmarshalTypeError for a JSON value. */
export function goValueKind(value: unknown, expectsInteger: boolean): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return expectsInteger ? `number ${formatNumber(value)}` : 'number';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

function formatNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'out of range';
}

export function goTypeError(structName: string, path: string, value: unknown, goType: string): string {
  const kind = goValueKind(value, goType === 'int');
  return `json: cannot unmarshal ${kind} into Go struct field ${structName}.${path} of type ${goType}`;
}

/** Go's `json.Unmarshal` of a non-object top-level value into a struct. */
export function goTopLevelError(value: unknown, goType: string): string {
  return `json: cannot unmarshal ${goValueKind(value, false)} into Go value of type ${goType}`;
}

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/** Go's `strconv.Atoi`: optional sign, decimal digits, 64-bit range. */
export function goAtoi(s: string): { ok: true; value: number } | { ok: false; error: string } {
  if (!/^[+-]?[0-9]+$/.test(s)) return { ok: false, error: `strconv.Atoi: parsing ${goQuote(s)}: invalid syntax` };
  const big = BigInt(s);
  if (big > 9223372036854775807n || big < -9223372036854775808n) {
    return { ok: false, error: `strconv.Atoi: parsing ${goQuote(s)}: value out of range` };
  }
  return { ok: true, value: Number(big) };
}

/** Go's `%q` for the strings we print (printable ASCII stays, the rest is escaped). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const MAC_COLON = /^[0-9a-f]{2}(?:([:-])[0-9a-f]{2})+$/i;
const MAC_DOT = /^[0-9a-f]{4}(?:\.[0-9a-f]{4})+$/i;

/**
 * Go's `net.ParseMAC`: 6-, 8- or 20-octet addresses as `aa:bb:…`, `aa-bb-…` (one separator throughout) or
 * `aabb.ccdd.…`. Returns the octets, or undefined.
 */
export function goParseMac(s: string): Uint8Array | undefined {
  let hex: string;
  if (MAC_COLON.test(s)) {
    const sep = s[2]!;
    const parts = s.split(sep);
    if (parts.some((p) => p.length !== 2)) return undefined;
    hex = parts.join('');
  } else if (MAC_DOT.test(s)) {
    hex = s.split('.').join('');
  } else {
    return undefined;
  }
  const n = hex.length / 2;
  if (n !== 6 && n !== 8 && n !== 20) return undefined;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Go's `net.HardwareAddr.String()`: lower-case, colon-separated. */
export function formatMac(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

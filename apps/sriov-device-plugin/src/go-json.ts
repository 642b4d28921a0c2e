// JSON the way Go's encoding/json writes map[string]…: keys sorted, and HTML-sensitive characters escaped
// (`<` `>` `&` U+2028 U+2029), so `_INFO` env values are byte-identical to the Go plugin's.

export type JsonTree = string | { [key: string]: JsonTree };

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function goMarshalSorted(value: JsonTree): string {
  if (typeof value === 'string') return goString(value);
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${goString(k)}:${goMarshalSorted(value[k]!)}`).join(',')}}`;
}

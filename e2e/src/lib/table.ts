// Plain-text tables for the demo's terminal summary.

/** Renders rows under a header with columns padded to their widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Compresses sorted PCI addresses that differ only in the function/device tail into `first … last (N)`. */
export function summarizeIds(ids: string[]): string {
  if (ids.length <= 2) return ids.join(', ');
  return `${ids[0]} … ${ids[ids.length - 1]} (${ids.length})`;
}

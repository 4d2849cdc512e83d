/**
 * Column output like Nomad's (columnize): cells separated by two spaces,
 * columns aligned, no trailing spaces.
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell));
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - displayWidth(cell))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * `Key = Value` lines with the `=` aligned; empty values print as `<none>`
 * (Nomad's formatKV).
 */
export function formatKV(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([k]) => displayWidth(k)));
  return pairs.map(([k, v]) => `${k}${' '.repeat(width - displayWidth(k))} = ${v === '' ? '<none>' : v}`).join('\n');
}

/** Characters as a terminal shows them (code points; no wide-glyph handling needed for our output). */
function displayWidth(s: string): number {
  return [...s].length;
}

/** Indent every line of a block. */
export function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => (l.length > 0 ? prefix + l : l))
    .join('\n');
}

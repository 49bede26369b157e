/**
 * Output the way HestiaCP prints it. Its JSON is built by string concatenation: every value is a
 * string, collections are objects keyed by name, the empty collection is `{\n}`, and nothing is
 * escaped — a backslash or quote in a value yields invalid JSON, which clients must survive.
 * The list commands also print `plain` (tab-separated), `csv` and `shell` (a table, the default);
 * any other format prints nothing.
 */
export type Fields = Record<string, string>;

/** Keys the panel's package listing writes without a space after the colon. */
const TIGHT_KEYS = new Set(['CPU_QUOTA', 'CPU_QUOTA_PERIOD', 'MEMORY_LIMIT', 'SWAP_LIMIT']);

function object(fields: Fields, indent: string, closeIndent: string): string {
  const lines = Object.entries(fields).map(([k, v]) => `${indent}    "${k}":${TIGHT_KEYS.has(k) ? '' : ' '}"${v}"`);
  return `{\n${lines.join(',\n')}\n${closeIndent}}`;
}

/**
 * A JSON collection. `closeIndent` is where the inner closing brace sits: 4 spaces in lists,
 * 8 in `v-list-user`, whose template indents it one level too deep.
 */
export function collection(items: Record<string, Fields>, closeIndent = '    '): string {
  const entries = Object.entries(items);
  if (entries.length === 0) return '{\n}';
  const body = entries.map(([name, fields]) => `    "${name}": ${object(fields, '    ', closeIndent)}`).join(',\n');
  return `{\n${body}\n}`;
}

const csvValue = (v: string) => (/[",\s]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** Like `column -t`: every column but the last padded to its widest cell, two spaces apart. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export interface ListShape {
  /** The header of the name column: `USER`, `DOMAIN`, `PACKAGE`, `DATABASE` … */
  key: string;
  /** The columns of the `shell` table (a few, as the panel prints); all fields when absent. */
  shell?: string[];
  /** Where v-list-user puts the inner closing brace. */
  closeIndent?: string;
}

/** Prints a list in the requested FORMAT (`shell` when none is given, as the panel defaults). */
export function renderList(items: Record<string, Fields>, format: string | undefined, shape: ListShape): string {
  const entries = Object.entries(items);
  const fieldNames = Object.keys(entries[0]?.[1] ?? {});
  switch (format ?? 'shell') {
    case 'json':
      return collection(items, shape.closeIndent);
    case 'plain':
      return entries.map(([name, f]) => [name, ...Object.values(f)].join('\t')).join('\n');
    case 'csv': {
      const header = [shape.key, ...fieldNames].join(',');
      const rows = entries.map(([name, f]) => [name, ...Object.values(f)].map(csvValue).join(','));
      return [header, ...rows].join('\n');
    }
    case 'shell': {
      const columns = shape.shell ?? fieldNames;
      const header = [shape.key, ...columns];
      const rows = entries.map(([name, f]) => [name, ...columns.map((c) => f[c] ?? '')]);
      return table([header, header.map((h) => '-'.repeat(h.length)), ...rows]);
    }
    default:
      return '';
  }
}

export function hestiaDate(ms: number): { TIME: string; DATE: string } {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    TIME: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    DATE: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
  };
}

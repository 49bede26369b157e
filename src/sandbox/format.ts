/**
 * Output the way HestiaCP prints it. Its JSON is built by string concatenation: every value is a
 * string, collections are objects keyed by name, the empty collection is `{\n}`, and nothing is
 * escaped — a backslash or quote in a value yields invalid JSON, which clients must survive.
 */
export type Fields = Record<string, string>;

function object(fields: Fields, indent: string): string {
  const lines = Object.entries(fields).map(([k, v]) => `${indent}    "${k}": "${v}"`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

export function collection(items: Record<string, Fields>): string {
  const entries = Object.entries(items);
  if (entries.length === 0) return '{\n}';
  const body = entries.map(([name, fields]) => `    "${name}": ${object(fields, '    ')}`).join(',\n');
  return `{\n${body}\n}`;
}

export function hestiaDate(ms: number): { TIME: string; DATE: string } {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    TIME: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    DATE: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
  };
}

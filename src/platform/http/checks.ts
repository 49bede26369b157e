import { ID_PREFIXES, type IdKind } from '../ids.js';
import { AppError } from './errors.js';

/*
 * The rules the route schemas (./schemas.ts) state, as plain functions and constants for code
 * that checks or formats values outside a schema: shared logic, stores, the CLI. Apart from the
 * schemas so that none of it loads TypeBox: import them from here, not from ./schemas.ts.
 */

/**
 * Names and free text a client or admin submits never carry control characters (NUL, escape
 * sequences, C1 controls) or the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) that make a name display in another order than it is stored — they break logs,
 * terminals, CSV exports and the panel's command line, and let one name pose as another. One line
 * refuses tabs and line breaks too; a block of text keeps them.
 */
const BIDI_CONTROLS = '\\u202A-\\u202E\\u2066-\\u2069';
export const TEXT_LINE_PATTERN = `^[^\\u0000-\\u001F\\u007F-\\u009F${BIDI_CONTROLS}]*$`;
export const TEXT_BLOCK_PATTERN = `^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F${BIDI_CONTROLS}]*$`;
export const TEXT_LINE_MESSAGE =
  'must not contain control characters (NUL, tab, line breaks, U+007F–U+009F) or bidirectional overrides (U+202A–U+202E, U+2066–U+2069)';
export const TEXT_BLOCK_MESSAGE =
  'must not contain control characters other than tab and line breaks, nor bidirectional overrides (U+202A–U+202E, U+2066–U+2069)';

const TEXT_LINE = new RegExp(TEXT_LINE_PATTERN, 'u');
const TEXT_BLOCK = new RegExp(TEXT_BLOCK_PATTERN, 'u');

/** Whether text passes TextLine (`line`) or TextBlock (`block`); for text that arrives without a route schema. */
export function isCleanText(value: string, kind: 'line' | 'block' = 'line'): boolean {
  return (kind === 'line' ? TEXT_LINE : TEXT_BLOCK).test(value);
}

/** The same rule for text that arrives outside a route schema (the CLI, shared logic). */
export function checkText(value: string, field: string, kind: 'line' | 'block' = 'line'): void {
  if (isCleanText(value, kind)) return;
  const message = kind === 'line' ? TEXT_LINE_MESSAGE : TEXT_BLOCK_MESSAGE;
  throw new AppError('validation_failed', `The ${field.split('.').pop()} ${message}.`, {
    errors: [{ field, message }],
  });
}

export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** Cursors are opaque to clients: base64url of the last id seen (ids sort by creation time). */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, kind: IdKind): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!new RegExp(`^${ID_PREFIXES[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`).test(id)) {
    throw new AppError('validation_failed', 'The cursor is not valid; pass next_cursor from the previous page.', {
      errors: [{ field: 'query.cursor', message: 'not a cursor returned by this list' }],
    });
  }
  return id;
}

/** Turns `limit + 1` fetched rows into a page: the extra row only says whether there is more. */
export function toPage<Row extends { id: string }, Item>(
  rows: readonly Row[],
  limit: number,
  map: (row: Row) => Item,
): { items: Item[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { items: pageRows.map(map), next_cursor: more && last ? encodeCursor(last.id) : null };
}

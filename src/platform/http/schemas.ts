import {
  type SchemaOptions,
  type StringOptions,
  type TObject,
  type TSchema,
  type TUnsafe,
  Type,
} from '@sinclair/typebox';
import { ID_PREFIXES, type IdKind } from '../ids.js';
import { AppError } from './errors.js';

/** Schema pieces shared by every feature's routes, so a page or an id looks the same everywhere. */

/** A well-formed id of this kind for the docs' examples (the id alphabet has no I, L, O or U). */
export function exampleId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_01JD8X3Q4W5E6R7T8Y9ZABCDEF`;
}

export function IdParam(kind: IdKind, description: string) {
  return Type.String({
    pattern: `^${ID_PREFIXES[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`,
    description,
    examples: [exampleId(kind)],
  });
}

/**
 * One of a fixed set of strings, as a JSON Schema `enum`: a wrong value gets one error naming the
 * allowed values (a union of literals would give one "must be equal to constant" per choice), and
 * the docs list the choices.
 */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/**
 * A string or null as one JSON Schema type array. A `Type.Union([..., Type.Null()])` would make
 * the response serialiser (fast-json-stringify) run Ajv on every value to pick a branch — a
 * measurable share of a list request — while a type array is a plain typeof check.
 */
export function NullableString(options: StringOptions = {}): TUnsafe<string | null> {
  return Type.Unsafe<string | null>({ ...Type.String(options), type: ['string', 'null'] });
}

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

/** A name or other one-line text (a client name, a domain, a token name). */
export function TextLine(options: StringOptions = {}) {
  return Type.String({ ...options, pattern: TEXT_LINE_PATTERN });
}

export function NullableTextLine(options: StringOptions = {}): TUnsafe<string | null> {
  return NullableString({ ...options, pattern: TEXT_LINE_PATTERN });
}

/** Free text that may span lines (a description, a reason). */
export function TextBlock(options: StringOptions = {}) {
  return Type.String({ ...options, pattern: TEXT_BLOCK_PATTERN });
}

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

export const Timestamp = Type.String({
  format: 'date-time',
  description: 'ISO 8601, UTC',
  examples: ['2026-11-24T12:00:00.000Z'],
});
export const NullableTimestamp = NullableString({ format: 'date-time', description: 'ISO 8601, UTC, or null' });

export const Money = Type.Object(
  {
    amount_minor: Type.Integer({ description: 'Amount in minor units (cents)', examples: [999] }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency', examples: ['USD'] }),
  },
  { additionalProperties: false },
);

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Items per page (1–100).' })),
  cursor: Type.Optional(
    Type.String({ maxLength: 200, description: 'The `next_cursor` of the previous page; omit for the first page.' }),
  ),
};

export function Page<T extends TSchema>(item: T, description: string): TObject {
  return Type.Object(
    {
      items: Type.Array(item, { description }),
      next_cursor: NullableString({ description: 'Pass as `cursor` to get the next page; null on the last page.' }),
    },
    { additionalProperties: false },
  );
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

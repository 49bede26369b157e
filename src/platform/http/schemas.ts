import { type StringOptions, type TObject, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';
import { ID_PREFIXES, type IdKind } from '../ids.js';
import { AppError } from './errors.js';

/** Schema pieces shared by every feature's routes, so a page or an id looks the same everywhere. */

export function IdParam(kind: IdKind, description: string) {
  return Type.String({
    pattern: `^${ID_PREFIXES[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`,
    description,
    examples: [`${ID_PREFIXES[kind]}_01JD8X3Q4W5E6R7T8Y9U0I1O2P`.replace(/[IO]/g, 'A')],
  });
}

/**
 * A string or null as one JSON Schema type array. A `Type.Union([..., Type.Null()])` would make
 * the response serialiser (fast-json-stringify) run Ajv on every value to pick a branch — a
 * measurable share of a list request — while a type array is a plain typeof check.
 */
export function NullableString(options: StringOptions = {}): TUnsafe<string | null> {
  return Type.Unsafe<string | null>({ ...Type.String(options), type: ['string', 'null'] });
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

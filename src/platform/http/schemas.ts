import {
  type SchemaOptions,
  type StringOptions,
  type TObject,
  type TSchema,
  type TUnsafe,
  Type,
} from '@sinclair/typebox';
import { ID_PREFIXES, type IdKind } from '../ids.js';
import { TEXT_BLOCK_PATTERN, TEXT_LINE_PATTERN } from './checks.js';

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

/** A calendar day, YYYY-MM-DD (read in the provider's time zone by the route). */
export const Day = (description: string) =>
  Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description, examples: ['2026-12-31'] });

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

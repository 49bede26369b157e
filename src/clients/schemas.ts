import { Type } from '@sinclair/typebox';
import { TEXT_BLOCK_PATTERN } from '../platform/http/checks.js';
import {
  IdParam,
  Money,
  NullableString,
  NullableTextLine,
  PageQuery,
  StringEnum,
  TextBlock,
  TextLine,
  Timestamp,
} from '../platform/http/schemas.js';
import { CLIENT_STATUSES } from './statuses.js';

/** The schemas of clients in the Admin API and of the credit ledger in both APIs. */
export { CLIENT_STATUSES };
export const ClientStatus = StringEnum(CLIENT_STATUSES);

export const ClientParam = Type.Object({ id: IdParam('client', 'Client id') }, { additionalProperties: false });

export const ClientListQuery = Type.Object(
  {
    ...PageQuery,
    q: Type.Optional(
      TextLine({
        minLength: 1,
        maxLength: 200,
        description: 'Part of the email or name, any case.',
        examples: ['jane'],
      }),
    ),
    status: Type.Optional(ClientStatus),
    sort: Type.Optional(
      StringEnum(['newest', 'oldest'], { default: 'newest', description: 'newest (default) or oldest first' }),
    ),
  },
  { additionalProperties: false },
);

const clientFields = {
  id: IdParam('client', 'Client id'),
  email: Type.String({ format: 'email', examples: ['jane@example.com'] }),
  name: Type.String({ examples: ['Jane Doe'] }),
  company: NullableString({ examples: ['Example Ltd'] }),
  phone: NullableString({ examples: ['+49 30 1234567'] }),
  country: NullableString({ description: 'ISO 3166-1 alpha-2; decides the tax rate', examples: ['DE'] }),
  address: NullableString({
    description: 'Postal address as printed on invoices',
    examples: ['Hauptstr. 1\n10115 Berlin'],
  }),
  tax_id: NullableString({ examples: ['DE123456789'] }),
  status: ClientStatus,
  credit: Money,
  demo: Type.Boolean({ description: 'A demo account (made by `portico demo`)' }),
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const ClientView = Type.Object(clientFields, { additionalProperties: false });

const count = (description: string) => Type.Integer({ minimum: 0, description });
export const ClientDetail = Type.Object(
  {
    ...clientFields,
    services: Type.Object(
      {
        total: count('Every service, whatever its status'),
        pending: count('Ordered, not yet set up'),
        active: count('Running'),
        suspended: count('Suspended on the panel'),
        terminated: count('Removed from the panel'),
        cancelled: count('Cancelled before set-up'),
      },
      { additionalProperties: false },
    ),
    unpaid_invoices: count('Invoices waiting for payment'),
  },
  { additionalProperties: false },
);

export const ClientList = Type.Object(
  {
    items: Type.Array(ClientView, { description: 'Clients, newest first' }),
    next_cursor: NullableString({ description: 'Pass as `cursor` to get the next page; null on the last page.' }),
  },
  { additionalProperties: false },
);

export const ClientPatch = Type.Object(
  {
    name: Type.Optional(TextLine({ minLength: 1, maxLength: 200 })),
    email: Type.Optional(
      Type.String({ minLength: 3, maxLength: 254, description: 'Must be unused by another client' }),
    ),
    company: Type.Optional(NullableTextLine({ maxLength: 200 })),
    phone: Type.Optional(NullableString({ maxLength: 50, pattern: '^[0-9+() .-]*$' })),
    country: Type.Optional(
      NullableString({ minLength: 2, maxLength: 2, description: 'ISO 3166-1 alpha-2 (decides the tax rate)' }),
    ),
    address: Type.Optional(NullableString({ maxLength: 1000, pattern: TEXT_BLOCK_PATTERN })),
    tax_id: Type.Optional(NullableTextLine({ maxLength: 50 })),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    examples: [{ country: 'DE', tax_id: 'DE123456789', address: 'Hauptstr. 1\n10115 Berlin' }],
  },
);

export const ReasonBody = Type.Object(
  { reason: Type.Optional(TextBlock({ maxLength: 500, examples: ['Chargeback on invoice 2026-0042'] })) },
  { additionalProperties: false },
);

const entryFields = {
  id: IdParam('credit', 'Ledger entry id'),
  amount_minor: Type.Integer({ description: 'Signed: positive added credit, negative took it', examples: [1000] }),
  balance_after_minor: Type.Integer({ description: 'The balance after this entry', examples: [2500] }),
  currency: Type.String({ examples: ['USD'] }),
  reason: Type.String({ examples: ['Goodwill credit'] }),
  invoice_id: NullableString({ description: 'The invoice this entry paid or refunded, if any' }),
  at: Timestamp,
};

export const CreditEntry = Type.Object(entryFields, { additionalProperties: false });
export const AdminCreditEntry = Type.Object(
  {
    ...entryFields,
    actor_type: StringEnum(['admin', 'client', 'cli', 'system']),
    actor_id: NullableString({ description: 'The admin or client who made the change' }),
    payment_id: NullableString(),
  },
  { additionalProperties: false },
);

function creditPage(entry: typeof CreditEntry | typeof AdminCreditEntry) {
  return Type.Object(
    {
      balance: Money,
      items: Type.Array(entry, { description: 'Ledger entries, newest first' }),
      next_cursor: NullableString({ description: 'Pass as `cursor` to get the next page; null on the last page.' }),
    },
    { additionalProperties: false },
  );
}
export const CreditPage = creditPage(CreditEntry);
export const AdminCreditPage = creditPage(AdminCreditEntry);

export const CreditChange = Type.Object(
  {
    amount_minor: Type.Integer({
      minimum: -1_000_000_000_000,
      maximum: 1_000_000_000_000,
      description: 'Minor units of the client’s currency: positive adds credit, negative removes it',
      examples: [1000],
    }),
    reason: TextBlock({ minLength: 1, maxLength: 500, examples: ['Goodwill credit for the outage'] }),
  },
  { additionalProperties: false },
);

export const CreditChanged = Type.Object({ entry: AdminCreditEntry, balance: Money }, { additionalProperties: false });

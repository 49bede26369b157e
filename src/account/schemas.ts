import { Type } from '@sinclair/typebox';
import {
  IdParam,
  NullableString,
  NullableTextLine,
  StringEnum,
  TextLine,
  Timestamp,
} from '../platform/http/schemas.js';

export const Account = Type.Object(
  {
    id: IdParam('client', 'Your client id'),
    email: Type.String({ format: 'email', examples: ['jane@example.com'] }),
    name: Type.String({ examples: ['Jane Doe'] }),
    company: NullableString({ examples: ['Example Ltd'] }),
    phone: NullableString({ examples: ['+44 20 7946 0000'] }),
    country: NullableString({ examples: ['GB'] }),
    status: StringEnum(['active', 'suspended', 'closed']),
    credit: Type.Object(
      { amount_minor: Type.Integer({ examples: [2500] }), currency: Type.String({ examples: ['USD'] }) },
      { additionalProperties: false, description: 'Credit balance, usable to pay invoices' },
    ),
    created_at: Timestamp,
  },
  { additionalProperties: false },
);

export const AccountPatch = Type.Object(
  {
    name: Type.Optional(TextLine({ minLength: 1, maxLength: 200 })),
    company: Type.Optional(NullableTextLine({ maxLength: 200 })),
    phone: Type.Optional(NullableString({ maxLength: 50, pattern: '^[0-9+() .-]*$' })),
    country: Type.Optional(NullableString({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' })),
  },
  { additionalProperties: false, minProperties: 1, examples: [{ company: 'Example Ltd', phone: '+44 20 7946 0000' }] },
);

export const PasswordChange = Type.Object(
  {
    current_password: Type.String({ minLength: 1, maxLength: 200 }),
    new_password: Type.String({ minLength: 10, maxLength: 200 }),
  },
  {
    additionalProperties: false,
    examples: [{ current_password: 'old-secret-123', new_password: 'a-much-longer-secret-456' }],
  },
);

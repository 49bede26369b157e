import { Type } from '@sinclair/typebox';
import { IdParam, NullableString, StringEnum, TextLine } from '../platform/http/schemas.js';
import { ROLES } from './roles.js';

/** The staff accounts' Admin API shapes. */
const Role = StringEnum(ROLES, {
  description: 'What the staff member may do (docs/adr/0011): owner, billing, support or read_only.',
  examples: ['support'],
});

export const StaffParam = Type.Object({ id: IdParam('admin', 'Staff member id') }, { additionalProperties: false });

export const StaffMember = Type.Object(
  {
    id: IdParam('admin', 'Staff member id'),
    email: Type.String({ format: 'email', examples: ['ana@example.com'] }),
    name: Type.String({ examples: ['Ana'] }),
    role: Role,
    status: StringEnum(['active', 'disabled'] as const, {
      description: 'Disabled staff cannot log in.',
      examples: ['active'],
    }),
    totp_enrolled: Type.Boolean({ description: 'Logs in with a two-factor code.', examples: [false] }),
    created_at: Type.String({ format: 'date-time', examples: ['2026-01-05T09:30:00.000Z'] }),
    updated_at: Type.String({ format: 'date-time', examples: ['2026-01-05T09:30:00.000Z'] }),
  },
  { additionalProperties: false },
);

export const StaffList = Type.Object({ items: Type.Array(StaffMember) }, { additionalProperties: false });

export const CreateStaffBody = Type.Object(
  {
    email: TextLine({ maxLength: 254, examples: ['ana@example.com'] }),
    name: Type.Optional(TextLine({ maxLength: 200, examples: ['Ana'] })),
    role: Role,
    password: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'Their initial password; without it one is generated and returned once.',
        examples: ['a-long-initial-password'],
      }),
    ),
  },
  { additionalProperties: false },
);

export const CreatedStaff = Type.Object(
  {
    staff: StaffMember,
    initial_password: NullableString({
      description: 'The generated password, shown once (null when you gave one): hand it over safely.',
      examples: ['q3V9x-Lr2mTt8kZp0aBcD1eF'],
    }),
  },
  { additionalProperties: false },
);

export const StaffPatch = Type.Object(
  {
    role: Type.Optional(Role),
    status: Type.Optional(
      StringEnum(['active', 'disabled'] as const, {
        description: '`disabled` stops their logins and ends their sessions; `active` lets them in again.',
        examples: ['disabled'],
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

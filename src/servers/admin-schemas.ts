import { Type } from '@sinclair/typebox';
import { NullableString, StringEnum, TextBlock, TextLine, Timestamp } from '../platform/http/schemas.js';

/** The schemas of the servers' Admin API routes (src/servers/admin-api.ts). */
export const NameParam = Type.Object(
  { name: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$', examples: ['web1'] }) },
  { additionalProperties: false },
);

export const AddServerBody = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$', examples: ['web1'] }),
    host: TextLine({ minLength: 1, maxLength: 253, examples: ['panel1.example.com'] }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 8083 }),
    access_key: Type.String({
      pattern: '^[0-9A-Za-z]{20}:[0-9A-Za-z_=-]{40}$',
      description: 'ID:SECRET from v-add-access-key',
      examples: ['AbCdEfGhIjKlMnOpQrSt:0123456789abcdefghijABCDEFGHIJ0123456789'],
    }),
    tls: Type.Union([
      Type.Object({ mode: Type.Literal('system') }, { additionalProperties: false }),
      Type.Object(
        { mode: Type.Literal('ca'), ca_pem: TextBlock({ maxLength: 20000 }) },
        { additionalProperties: false },
      ),
      Type.Object({ mode: Type.Literal('pin'), sha256: TextLine({ maxLength: 100 }) }, { additionalProperties: false }),
      Type.Object({ mode: Type.Literal('insecure') }, { additionalProperties: false }),
    ]),
    group: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$', default: 'default' }),
    capacity: Type.Integer({ minimum: 0, default: 100 }),
    root_user: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$', default: 'admin' }),
  },
  { additionalProperties: false },
);

export const UpdateServerBody = Type.Object(
  {
    host: Type.Optional(TextLine({ minLength: 1, maxLength: 253 })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    access_key: Type.Optional(
      Type.String({ pattern: '^[0-9A-Za-z]{20}:[0-9A-Za-z_=-]{40}$', description: 'ID:SECRET from v-add-access-key' }),
    ),
    tls: Type.Optional(AddServerBody.properties.tls),
    group: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,62}$' })),
    capacity: Type.Optional(Type.Integer({ minimum: 0 })),
    root_user: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$' })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const PauseServerBody = Type.Object(
  {
    reason: TextLine({
      minLength: 1,
      maxLength: 200,
      description: 'Why (shown with the server)',
      examples: ['Panel upgrade'],
    }),
  },
  { additionalProperties: false },
);

export const CallBody = Type.Object(
  {
    cmd: Type.String({ pattern: '^[a-zA-Z0-9_-]+$', examples: ['v-list-users'] }),
    args: Type.Array(TextLine({ maxLength: 1000 }), { maxItems: 13, default: [], examples: [['json']] }),
  },
  { additionalProperties: false },
);

export const ServerView = Type.Object(
  {
    id: Type.String({ pattern: '^srv_[0-9A-HJKMNP-TV-Z]{26}$' }),
    name: Type.String({ examples: ['web1'] }),
    host: Type.String(),
    port: Type.Integer(),
    group: Type.String(),
    capacity: Type.Integer(),
    tls_mode: StringEnum(['system', 'ca', 'pin', 'insecure']),
    enabled: Type.Boolean(),
    sandbox: Type.Boolean(),
    paused_reason: NullableString({
      description: 'Why jobs for this server wait (a refused access key); null when not paused.',
    }),
    created_at: Timestamp,
  },
  { additionalProperties: false },
);
export const CheckResult = Type.Object(
  {
    check: Type.String({ examples: ['DNS'] }),
    ok: Type.Boolean(),
    detail: Type.String(),
    fix: Type.Optional(Type.String({ description: 'What to do, when the check failed.' })),
  },
  { additionalProperties: false },
);
export const UpdatedServer = Type.Object(
  {
    ...ServerView.properties,
    access_check: Type.Union([CheckResult, Type.Null()], {
      description: 'The access check run after a change of address or credentials; null otherwise.',
    }),
    resumed: Type.Boolean({ description: 'Whether the change resumed a paused server.' }),
  },
  { additionalProperties: false },
);
export const CallReport = Type.Object(
  {
    ok: Type.Boolean(),
    httpStatus: Type.Union([Type.Integer(), Type.Null()]),
    exitCode: Type.Union([Type.Integer(), Type.Null()]),
    exitName: Type.String({ examples: ['OK', 'E_NOTEXIST'] }),
    body: Type.String(),
    durationMs: Type.Integer(),
  },
  { additionalProperties: false },
);
export const AcceptanceReport = Type.Object(
  {
    ok: Type.Boolean(),
    steps: Type.Array(
      Type.Object(
        { step: Type.String(), ok: Type.Boolean(), durationMs: Type.Integer(), detail: Type.String() },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

import { Type } from '@sinclair/typebox';
import { IdParam, NullableTimestamp, StringEnum, TextLine, Timestamp } from '../platform/http/schemas.js';

export const LoginBody = Type.Object(
  {
    email: TextLine({ minLength: 3, maxLength: 254, examples: ['jane@example.com'] }),
    password: Type.String({ minLength: 1, maxLength: 200, examples: ['correct-horse-battery'] }),
  },
  { additionalProperties: false },
);

export const RefreshBody = Type.Object(
  {
    refresh_token: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'The refresh token from the last login or refresh',
    }),
  },
  { additionalProperties: false },
);

export const TokenPair = Type.Object(
  {
    access_token: Type.String({
      description: 'Send as `Authorization: Bearer <access_token>`',
      examples: ['eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9…'],
    }),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Seconds until the access token expires', examples: [900] }),
    refresh_token: Type.String({
      description: 'Use once with POST /auth/refresh; store it safely',
      examples: ['rt_Q2hhbmdlIG1lIGV2ZXJ5IHRpbWUgeW91IHVzZSBtZQ'],
    }),
    refresh_token_expires_in: Type.Integer({
      description: 'Seconds until the refresh token expires',
      examples: [2592000],
    }),
  },
  { additionalProperties: false },
);

export const TokenScope = StringEnum(['read', 'write'], {
  description:
    '`read`: reads only (GET routes, except the one-time panel login, which needs `write`). `write`: everything a login can do, except managing tokens.',
});

const tokenFields = {
  id: IdParam('apiToken', 'Token id'),
  name: Type.String({ examples: ['backup script'] }),
  scope: TokenScope,
  created_at: Timestamp,
  expires_at: NullableTimestamp,
  last_used_at: NullableTimestamp,
};

export const ApiToken = Type.Object(tokenFields, { additionalProperties: false });
export const CreatedApiToken = Type.Object(
  {
    ...tokenFields,
    token: Type.String({
      description: 'The secret token. Shown only now: store it safely. Send as `Authorization: Bearer <token>`.',
      examples: ['ptk_01JD8X3Q4W5E6R7T8Y9ZABCDEF_3q2-7wEAAAD8Yn0Xk4fR2mJ9sLpQ7vZ1cH5bN8tW6yE'],
    }),
  },
  { additionalProperties: false },
);

export const CreateApiTokenBody = Type.Object(
  {
    name: TextLine({ minLength: 1, maxLength: 100, examples: ['backup script'] }),
    scope: TokenScope,
    expires_in_days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 3650, description: 'Omit for a token that never expires' }),
    ),
  },
  { additionalProperties: false },
);

export const PasswordResetBody = Type.Object(
  { email: TextLine({ minLength: 3, maxLength: 254, examples: ['jane@example.com'] }) },
  { additionalProperties: false },
);

export const PasswordResetConfirmBody = Type.Object(
  {
    token: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'The code from the email',
      examples: ['Xb3k9QvW2mR7tY1pL8nZ4cF6hJ0sD5aE'],
    }),
    new_password: Type.String({ minLength: 1, maxLength: 200, examples: ['a-new-long-passphrase'] }),
  },
  { additionalProperties: false },
);

export const PasswordResetAccepted = Type.Object(
  {
    message: Type.String({
      examples: ['If an account has this address, a reset code is on its way. It works once, within 30 minutes.'],
    }),
  },
  { additionalProperties: false },
);

/** An admin sent someone a reset code (the Admin API's staff and client pages). */
export const PasswordResetSent = Type.Object(
  {
    to: Type.String({ format: 'email', description: 'Where the code was sent.', examples: ['jane@example.com'] }),
    expires_at: Type.String({
      format: 'date-time',
      description: 'The code works once, until then; sending another replaces it.',
      examples: ['2026-01-05T10:00:00.000Z'],
    }),
  },
  { additionalProperties: false },
);

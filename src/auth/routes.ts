import { Type } from '@sinclair/typebox';
import { AppError } from '../platform/http/errors.js';
import { IdParam } from '../platform/http/schemas.js';
import { defineRoute, type RouteContext } from '../userapi/route.js';
import { confirmPasswordReset, RESET_TTL_MS, requestPasswordReset } from './password-reset.js';
import {
  ApiToken,
  CreateApiTokenBody,
  CreatedApiToken,
  LoginBody,
  PasswordResetAccepted,
  PasswordResetBody,
  PasswordResetConfirmBody,
  RefreshBody,
  TokenPair,
} from './schemas.js';
import { login, logout, REFRESH_REUSE_INTERVAL_MS, refresh } from './sessions.js';

const AUTH = 'Authentication';
const TOKENS = 'API tokens';

/** A stolen API token must not be able to mint more: token management needs a login credential. */
function requireLogin(ctx: RouteContext<'client'>): void {
  if (ctx.principal.method === 'token') {
    throw new AppError(
      'insufficient_scope',
      'API tokens cannot manage API tokens; use your password (Basic) or a login (JWT).',
    );
  }
}

export const authRoutes = [
  defineRoute({
    method: 'POST',
    path: '/auth/login',
    operationId: 'login',
    category: AUTH,
    summary: 'Log in',
    description:
      'Exchange your email and password for a short-lived access token (send it as `Authorization: Bearer …`) and a refresh token. Failed attempts are throttled per account from one address and per address, so failures elsewhere never lock you out.',
    auth: 'none',
    body: LoginBody,
    errors: ['unauthorized', 'login_throttled', 'auth_method_disabled'],
    response: { status: 200, description: 'Tokens for the new session', schema: TokenPair },
    handler: async ({ body }, ctx) => {
      if (!ctx.app.settings.snapshot['userapi.auth_methods'].includes('jwt')) {
        throw new AppError('auth_method_disabled', 'JWT login is disabled by the provider.');
      }
      const { clientId, tokens } = await login(ctx.app, {
        email: body.email,
        password: body.password,
        ip: ctx.ip,
        userAgent: ctx.headers['user-agent'],
      });
      ctx.logClient(clientId);
      return tokens;
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/auth/refresh',
    operationId: 'refreshToken',
    category: AUTH,
    summary: 'Refresh the access token',
    description: `Trade a refresh token for a new access token and a new refresh token. Each refresh token works once: within ${REFRESH_REUSE_INTERVAL_MS / 1000} seconds of its use it answers with the same new pair again (a lost answer, or concurrent refreshes), but used again later it ends the session (someone has a copy), and you log in again.`,
    auth: 'none',
    body: RefreshBody,
    errors: ['unauthorized', 'auth_method_disabled'],
    response: { status: 200, description: 'New tokens', schema: TokenPair },
    handler: async ({ body }, ctx) => {
      if (!ctx.app.settings.snapshot['userapi.auth_methods'].includes('jwt')) {
        throw new AppError('auth_method_disabled', 'JWT login is disabled by the provider.');
      }
      const { clientId, tokens } = await refresh(ctx.app, body.refresh_token);
      ctx.logClient(clientId);
      return tokens;
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/auth/logout',
    operationId: 'logout',
    category: AUTH,
    summary: 'Log out',
    description: 'Ends the session of the access token used: it and its refresh token stop working at once.',
    auth: 'client',
    errors: ['invalid_request'],
    response: { status: 204, description: 'Logged out' },
    handler: async (_input, ctx) => {
      if (!ctx.principal.sessionId) {
        throw new AppError(
          'invalid_request',
          'Logout ends a JWT session; this request was not made with an access token.',
        );
      }
      await logout(ctx.app, ctx.principal.sessionId);
      return undefined;
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/auth/password-reset',
    operationId: 'requestPasswordReset',
    category: AUTH,
    summary: 'Ask for a password reset',
    description: `Emails a reset code to the address if it has an account, valid ${RESET_TTL_MS / 60_000} minutes and usable once (asking again replaces it). The answer is the same whether or not the address has an account. Throttled per address.`,
    auth: 'none',
    body: PasswordResetBody,
    errors: ['rate_limited'],
    response: {
      status: 202,
      description: 'Accepted (whether or not the address has an account)',
      schema: PasswordResetAccepted,
    },
    handler: async ({ body }, ctx) => {
      await requestPasswordReset(ctx.app, { email: body.email, ip: ctx.ip });
      return {
        message: `If an account has this address, a reset code is on its way. It works once, within ${RESET_TTL_MS / 60_000} minutes.`,
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/auth/password-reset/confirm',
    operationId: 'confirmPasswordReset',
    category: AUTH,
    summary: 'Set a new password with a reset code',
    description:
      'Sets the password and ends every session, refresh token and API token of the account: log in again with the new password. A code works once and expires; an unknown, used or expired one is refused (ask for a new one). Throttled per address.',
    auth: 'none',
    body: PasswordResetConfirmBody,
    errors: ['invalid_request', 'rate_limited'],
    response: { status: 204, description: 'The password is set' },
    handler: async ({ body }, ctx) => {
      await confirmPasswordReset(ctx.app, { token: body.token, newPassword: body.new_password, ip: ctx.ip });
      return undefined;
    },
  }),
];

export const tokenRoutes = [
  defineRoute({
    method: 'GET',
    path: '/tokens',
    operationId: 'listApiTokens',
    category: TOKENS,
    summary: 'List your API tokens',
    description: 'Your active personal API tokens (never their secrets).',
    auth: 'client',
    response: {
      status: 200,
      description: 'Your tokens',
      schema: Type.Object({ items: Type.Array(ApiToken) }, { additionalProperties: false }),
    },
    handler: async (_input, ctx) => ({ items: await ctx.app.apiTokens.list(ctx.principal.clientId) }),
  }),
  defineRoute({
    method: 'POST',
    path: '/tokens',
    operationId: 'createApiToken',
    category: TOKENS,
    summary: 'Create an API token',
    description:
      'A named token for scripts, read-only or read-write, optionally expiring. The secret is in this response only (and in its replay: send an `Idempotency-Key` to retry safely). Needs a login (Basic or JWT): a token cannot create tokens.',
    auth: 'client',
    idempotent: true,
    body: CreateApiTokenBody,
    response: { status: 201, description: 'The new token, with its secret', schema: CreatedApiToken },
    handler: async ({ body }, ctx) => {
      requireLogin(ctx);
      return ctx.app.apiTokens.create(ctx.principal.clientId, {
        name: body.name,
        scope: body.scope,
        expiresInDays: body.expires_in_days,
      });
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/tokens/{id}',
    operationId: 'revokeApiToken',
    category: TOKENS,
    summary: 'Revoke an API token',
    description: 'The token stops working at once. Needs a login (Basic or JWT).',
    auth: 'client',
    params: Type.Object({ id: IdParam('apiToken', 'Token id') }, { additionalProperties: false }),
    response: { status: 204, description: 'Revoked' },
    handler: async ({ params }, ctx) => {
      requireLogin(ctx);
      await ctx.app.apiTokens.revoke(ctx.principal.clientId, params.id);
      return undefined;
    },
  }),
];

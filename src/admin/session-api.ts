import { Type } from '@sinclair/typebox';
import { NullableString, StringEnum, TextLine } from '../platform/http/schemas.js';
import { ROLES } from '../staff/roles.js';
import { verifyAdminPassword } from './guard.js';
import type { AdminPrincipal } from './principal.js';
import { type AdminRouteContext, defineAdminRoute } from './route.js';
import { endSession, sessionFor, startSession } from './sessions.js';

/** The admin area's login: a session cookie and the CSRF token its page sends on every change. */
const Session = Type.Object(
  {
    email: Type.String({ format: 'email', examples: ['ops@example.com'] }),
    csrf_token: NullableString({
      description: 'Send it as `X-CSRF-Token` on every change; null when you authenticated with HTTP Basic.',
      examples: ['Zk3v2Yq8M1nTbW9pLr4sXc7hJd0aGe5uFo6iKy2wQzE'],
    }),
    role: StringEnum(ROLES, { description: 'Your staff role: what the Admin API lets you do.', examples: ['owner'] }),
    totp_enrolled: Type.Boolean({ description: 'You log in with a two-factor code.', examples: [true] }),
    totp_enrolment_required: Type.Boolean({
      description:
        'Your role must use two-factor login and you have not set it up: only your session and the enrolment (`POST /session/totp`) are open until you do.',
      examples: [false],
    }),
  },
  { additionalProperties: false },
);

function sessionFields(admin: AdminPrincipal) {
  return {
    role: admin.role,
    totp_enrolled: admin.totpEnrolled,
    totp_enrolment_required: admin.totpEnrolmentRequired,
  };
}

export const sessionAdminRoutes = [
  defineAdminRoute({
    method: 'POST',
    path: '/session',
    operationId: 'adminLogin',
    category: 'Session',
    summary: 'Log in to the admin area',
    description:
      'Checks an admin email and password and sets the admin area’s session cookie (HttpOnly, SameSite=Strict, 12 hours). The one call without credentials; the address allowlist still applies.',
    auth: 'none',
    permission: 'self',
    body: Type.Object(
      {
        email: TextLine({ maxLength: 254, examples: ['ops@example.com'] }),
        password: Type.String({ maxLength: 200, examples: ['admin-password-1'] }),
      },
      { additionalProperties: false },
    ),
    response: { status: 200, description: 'Logged in; the cookie is set.', schema: Session },
    errors: ['unauthorized', 'login_throttled', 'address_not_allowed'],
    handler: async ({ body }, ctx) => {
      const basic = `Basic ${Buffer.from(`${body.email}:${body.password}`).toString('base64')}`;
      const admin = await verifyAdminPassword(ctx.app, ctx, basic);
      return { ...(await startSession(ctx.app, ctx, admin)), ...sessionFields(admin) };
    },
  }),
  defineAdminRoute({
    method: 'GET',
    path: '/session',
    operationId: 'adminGetSession',
    category: 'Session',
    summary: 'Who is logged in',
    description: 'The admin you are authenticated as, and the CSRF token of your admin-area session.',
    auth: 'admin',
    permission: 'self',
    response: { status: 200, description: 'The current admin.', schema: Session },
    handler: async (_input, ctx: AdminRouteContext) => {
      const session = await sessionFor(ctx.app, ctx);
      return { email: ctx.principal.email, csrf_token: session?.csrf_token ?? null, ...sessionFields(ctx.principal) };
    },
  }),
  defineAdminRoute({
    method: 'DELETE',
    path: '/session',
    operationId: 'adminLogout',
    category: 'Session',
    summary: 'Log out of the admin area',
    description: 'Ends the admin-area session and clears its cookie.',
    auth: 'admin',
    permission: 'self',
    response: { status: 204, description: 'Logged out.' },
    handler: async (_input, ctx) => {
      await endSession(ctx.app, ctx);
      return undefined;
    },
  }),
];

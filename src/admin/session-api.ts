import { Type } from '@sinclair/typebox';
import { confirmAdminResetFrom, RESET_TTL_MS, requestAdminResetByEmail } from '../auth/password-reset.js';
import { PasswordResetAccepted, PasswordResetBody, PasswordResetConfirmBody } from '../auth/schemas.js';
import { NullableString, StringEnum, TextLine } from '../platform/http/schemas.js';
import { PERMISSIONS, type Permission, ROLES, roleMay } from '../staff/roles.js';
import { checkSecondFactor, confirmTotpEnrolment, startTotpEnrolment } from '../staff/totp.js';
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
    permissions: Type.Array(StringEnum(Object.keys(PERMISSIONS) as Permission[]), {
      description:
        'What your role may do (docs/adr/0011): the admin area shows only the actions these allow. The Admin API checks them on every call anyway.',
      examples: [['self', 'read', 'clients', 'services.lifecycle']],
    }),
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
    permissions: (Object.keys(PERMISSIONS) as Permission[]).filter((p) => roleMay(admin.role, p)),
    totp_enrolled: admin.totpEnrolled,
    totp_enrolment_required: admin.totpEnrolmentRequired,
  };
}

const TotpEnrolment = Type.Object(
  {
    secret: Type.String({
      description: 'The secret, base32, to type in by hand.',
      examples: ['JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'],
    }),
    otpauth_uri: Type.String({
      description: 'The secret as an otpauth:// URI (what the QR code holds).',
      examples: [
        'otpauth://totp/Portico:ops%40example.com?issuer=Portico&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
      ],
    }),
    qr_svg: Type.String({
      description: 'The URI as a QR code, an SVG image to show for the phone’s camera.',
      examples: ['<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 230 230">…</svg>'],
    }),
  },
  { additionalProperties: false },
);

export const sessionAdminRoutes = [
  defineAdminRoute({
    method: 'POST',
    path: '/session',
    operationId: 'adminLogin',
    category: 'Session',
    summary: 'Log in to the admin area',
    description:
      'Checks a staff member’s email and password — and, for staff with two-factor login, `totp_code` (401 `totp_required` without it, 401 `totp_invalid` when wrong or already used; wrong codes are throttled like wrong passwords) — and sets the admin area’s session cookie (HttpOnly, SameSite=Strict, 12 hours). `totp_enrolment_required` in the answer means your role must set up two-factor login before anything else (`POST /session/totp`). The one call without credentials; the address allowlist still applies.',
    auth: 'none',
    permission: 'self',
    body: Type.Object(
      {
        email: TextLine({ maxLength: 254, examples: ['ops@example.com'] }),
        password: Type.String({ maxLength: 200, examples: ['admin-password-1'] }),
        totp_code: Type.Optional(
          Type.String({
            minLength: 1,
            maxLength: 32,
            description:
              'For staff with two-factor login: the 6-digit code of their authenticator app, or one of their recovery codes (each works once). Without it such staff get 401 `totp_required`.',
            examples: ['492039'],
          }),
        ),
      },
      { additionalProperties: false },
    ),
    response: { status: 200, description: 'Logged in; the cookie is set.', schema: Session },
    errors: ['unauthorized', 'login_throttled', 'address_not_allowed', 'totp_required', 'totp_invalid'],
    handler: async ({ body }, ctx) => {
      const basic = `Basic ${Buffer.from(`${body.email}:${body.password}`).toString('base64')}`;
      const admin = await verifyAdminPassword(ctx.app, ctx, basic);
      await checkSecondFactor(ctx.app, admin, body.totp_code, ctx);
      return { ...(await startSession(ctx.app, ctx, admin)), ...sessionFields(admin) };
    },
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/auth/password-reset',
    operationId: 'adminRequestPasswordReset',
    category: 'Session',
    summary: 'Ask for a staff password reset',
    description: `“Forgot your password?” on the admin area’s login page: emails a reset code to the address if it is an active staff account and email is set up (email.smtp_url, email.from), valid ${RESET_TTL_MS / 60_000} minutes and usable once (asking again replaces it). The answer is the same either way. Throttled per address. No credentials: the address allowlist still applies.`,
    auth: 'none',
    permission: 'self',
    body: PasswordResetBody,
    response: {
      status: 202,
      description: 'Accepted (whether or not the address is a staff account).',
      schema: PasswordResetAccepted,
    },
    errors: ['rate_limited', 'address_not_allowed'],
    handler: async ({ body }, ctx) => {
      await requestAdminResetByEmail(ctx.app, { email: body.email, ip: ctx.ip });
      return {
        message: `If a staff account has this address, a reset code is on its way. It works once, within ${RESET_TTL_MS / 60_000} minutes.`,
      };
    },
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/auth/password-reset/confirm',
    operationId: 'adminConfirmPasswordReset',
    category: 'Session',
    summary: 'Set a staff password with a reset code',
    description:
      'Sets the password of the staff account the code was sent for and ends all its admin-area sessions: log in again with the new password (and your two-factor code, if you use one — a reset does not remove it). An unknown, used or expired code is refused (ask for a new one). Throttled per address. No credentials: the address allowlist still applies.',
    auth: 'none',
    permission: 'self',
    body: PasswordResetConfirmBody,
    response: { status: 204, description: 'The password is set.' },
    errors: ['invalid_request', 'validation_failed', 'rate_limited', 'address_not_allowed'],
    handler: async ({ body }, ctx) => {
      await confirmAdminResetFrom(ctx.app, { token: body.token, newPassword: body.new_password, ip: ctx.ip });
      return undefined;
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
  defineAdminRoute({
    method: 'POST',
    path: '/session/totp',
    operationId: 'adminStartTotpEnrolment',
    category: 'Session',
    summary: 'Start setting up two-factor login',
    description:
      'A new TOTP secret for you, as its base32 text, an `otpauth://` URI and that URI as a QR code (SVG) for your authenticator app. Nothing changes until you confirm a code from it (`POST /session/totp/confirm`); starting again replaces the secret. Refused (409) when two-factor login is already set up: an owner resets it first.',
    auth: 'admin',
    permission: 'self',
    response: { status: 200, description: 'The secret to add to your authenticator app.', schema: TotpEnrolment },
    errors: ['conflict'],
    handler: async (_input, ctx) => startTotpEnrolment(ctx.app, ctx.principal),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/session/totp/confirm',
    operationId: 'adminConfirmTotpEnrolment',
    category: 'Session',
    summary: 'Confirm two-factor login with a code',
    description:
      'The code your authenticator app shows for the new secret: two-factor login is on from now (your session goes on), and the answer holds your ten recovery codes — shown this once, each usable once in place of a code. HTTP Basic is refused for you from now: scripts need a staff account of their own.',
    auth: 'admin',
    permission: 'self',
    body: Type.Object(
      {
        code: Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code.', examples: ['492039'] }),
      },
      { additionalProperties: false },
    ),
    response: {
      status: 200,
      description: 'Two-factor login is on.',
      schema: Type.Object(
        {
          recovery_codes: Type.Array(Type.String({ examples: ['k3m9q-t2vxa'] }), {
            minItems: 10,
            maxItems: 10,
            description: 'Keep them safe: each logs you in once without your phone. They are not shown again.',
          }),
        },
        { additionalProperties: false },
      ),
    },
    errors: ['conflict', 'invalid_request', 'login_throttled'],
    handler: async ({ body }, ctx) => confirmTotpEnrolment(ctx.app, ctx.principal, body.code, ctx),
  }),
];

import type { IncomingHttpHeaders } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { AppError } from '../platform/http/errors.js';
import { roleMay, rolesFor } from '../staff/roles.js';
import { roleOf } from '../staff/staff.js';
import { findStaff } from '../staff/store.js';
import type { AdminPrincipal } from './principal.js';
import { type AdminRouteSpec, routePermission } from './route.js';
import { checkCsrf, sessionFor } from './sessions.js';

/**
 * The Admin API's door: admin credentials only (a client's password or tokens never open it),
 * optionally only from listed addresses (`admin.allowed_ips`). Failed admin logins are throttled
 * like client logins, in their own buckets.
 */

declare module 'fastify' {
  interface FastifyRequest {
    admin: AdminPrincipal | undefined;
  }
}

const CHALLENGE = { 'www-authenticate': 'Basic realm="Portico Admin API", charset="UTF-8"' };

/**
 * Scripts get the Basic challenge; the admin area's own fetches do not, or the browser would pop
 * up its password dialog instead of letting the page show its login form.
 */
function challenge(request: { headers: IncomingHttpHeaders }): Record<string, string> {
  const mode = request.headers['sec-fetch-mode'];
  return mode && mode !== 'navigate' ? {} : CHALLENGE;
}

function allowed(app: Pick<AppContext, 'settings'>, ip: string): boolean {
  const list = app.settings.snapshot['admin.allowed_ips'];
  return list.length === 0 || proxyAddr.compile(list)(ip, 0);
}

export function checkAllowedAddress(app: Pick<AppContext, 'settings'>, request: { ip: string }): void {
  if (!allowed(app, request.ip)) {
    throw new AppError(
      'address_not_allowed',
      `The Admin API is not open to ${request.ip}. Add it to admin.allowed_ips.`,
    );
  }
}

/** The principal of a staff member: their role, and whether they must enrol in two-factor login first. */
export function principalOf(
  app: Pick<AppContext, 'settings'>,
  row: { id: string; email: string; role: string; totp_enabled_at_ms: number | null },
): AdminPrincipal {
  const role = roleOf(row);
  const totpEnrolled = row.totp_enabled_at_ms !== null;
  const required = app.settings.snapshot['admin.require_totp_for'].includes(role);
  return { adminId: row.id, email: row.email, role, totpEnrolled, totpEnrolmentRequired: required && !totpEnrolled };
}

/**
 * Admin credentials: HTTP Basic (scripts), or the admin area's session cookie with its CSRF token.
 * Basic cannot carry a one-time code, so it is refused for staff who have two-factor login: their
 * scripts use a staff account of their own without it (docs/adr/0011).
 */
export async function authenticateAdmin(app: AppContext, request: FastifyRequest): Promise<AdminPrincipal> {
  checkAllowedAddress(app, request);
  const header = request.headers.authorization ?? '';
  if (!header) {
    const session = await sessionFor(app, request);
    if (session) {
      checkCsrf(request, session.csrf_token);
      return principalOf(app, { ...session, id: session.admin_id });
    }
  }
  const admin = await verifyAdminPassword(app, request, header);
  if (admin.totpEnrolled) {
    throw new AppError(
      'totp_required',
      `${admin.email} logs in with two-factor, which HTTP Basic cannot carry: log in with POST /admin/api/v1/session and a totp_code, or give scripts a staff account of their own without two-factor (a role not in admin.require_totp_for).`,
    );
  }
  return admin;
}

/**
 * A route's permission against the caller's role (src/staff/roles.ts), before the handler runs.
 * Staff who must enrol in two-factor login first reach only their session and the enrolment.
 */
export function authorize(spec: AdminRouteSpec, principal: AdminPrincipal): void {
  const permission = routePermission(spec);
  if (principal.totpEnrolmentRequired && permission !== 'self') {
    throw new AppError(
      'totp_enrolment_required',
      `The ${principal.role} role must log in with two-factor: set it up first (POST /admin/api/v1/session/totp, then POST /admin/api/v1/session/totp/confirm with a code from your authenticator app). Until then only your session and the enrolment are open.`,
    );
  }
  if (!roleMay(principal.role, permission)) {
    const roles = rolesFor(permission);
    throw new AppError(
      'forbidden_role',
      `This needs the ${roles.join(' or ')} role (permission ${permission}); you are ${principal.role}. Ask an owner to change your role if your work needs it.`,
    );
  }
}

export async function verifyAdminPassword(
  app: Pick<AppContext, 'adminPasswords' | 'throttle' | 'db' | 'settings'>,
  request: { ip: string; headers: IncomingHttpHeaders },
  header: string,
): Promise<AdminPrincipal> {
  if (!header.toLowerCase().startsWith('basic ')) {
    throw new AppError(
      'unauthorized',
      'The Admin API needs admin credentials: HTTP Basic with an admin email and password (portico admin create).',
      {
        headers: challenge(request),
      },
    );
  }
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const email = colon > 0 ? decoded.slice(0, colon) : '';
  const password = colon > 0 ? decoded.slice(colon + 1) : '';
  const throttleKey = `admin:${email}`;
  const adminId = await app.adminPasswords.verify(email, password, () => app.throttle.check(throttleKey, request.ip));
  const row = adminId ? await findStaff(app.db.kysely, adminId) : undefined;
  if (!adminId || !row || row.status !== 'active') {
    await app.throttle.fail(throttleKey, request.ip);
    throw new AppError('unauthorized', 'The admin email or password is wrong.', { headers: challenge(request) });
  }
  return principalOf(app, row);
}

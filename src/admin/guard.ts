import type { IncomingHttpHeaders } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { AppError } from '../platform/http/errors.js';
import type { AdminPrincipal } from './principal.js';
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

/** Admin credentials: HTTP Basic (scripts), or the admin area's session cookie with its CSRF token. */
export async function authenticateAdmin(app: AppContext, request: FastifyRequest): Promise<AdminPrincipal> {
  checkAllowedAddress(app, request);
  const header = request.headers.authorization ?? '';
  if (!header) {
    const session = await sessionFor(app, request);
    if (session) {
      checkCsrf(request, session.csrf_token);
      return { adminId: session.admin_id, email: session.email };
    }
  }
  return verifyAdminPassword(app, request, header);
}

export async function verifyAdminPassword(
  app: Pick<AppContext, 'adminPasswords' | 'throttle'>,
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
  if (!adminId) {
    await app.throttle.fail(throttleKey, request.ip);
    throw new AppError('unauthorized', 'The admin email or password is wrong.', { headers: challenge(request) });
  }
  return { adminId, email: email.trim().toLowerCase() };
}

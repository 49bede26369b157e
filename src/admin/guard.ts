import proxyAddr from '@fastify/proxy-addr';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { AppError } from '../platform/http/errors.js';

/**
 * The Admin API's door: admin credentials only (a client's password or tokens never open it),
 * optionally only from listed addresses (`admin.allowed_ips`). Failed admin logins are throttled
 * like client logins, in their own buckets.
 */
export interface AdminPrincipal {
  adminId: string;
  email: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    admin: AdminPrincipal | undefined;
  }
}

const CHALLENGE = { 'www-authenticate': 'Basic realm="Portico Admin API", charset="UTF-8"' };

function allowed(app: AppContext, ip: string): boolean {
  const list = app.settings.snapshot['admin.allowed_ips'];
  return list.length === 0 || proxyAddr.compile(list)(ip, 0);
}

export async function authenticateAdmin(app: AppContext, request: FastifyRequest): Promise<AdminPrincipal> {
  if (!allowed(app, request.ip)) {
    throw new AppError(
      'address_not_allowed',
      `The Admin API is not open to ${request.ip}. Add it to admin.allowed_ips.`,
    );
  }
  const header = request.headers.authorization ?? '';
  if (!header.toLowerCase().startsWith('basic ')) {
    throw new AppError(
      'unauthorized',
      'The Admin API needs admin credentials: HTTP Basic with an admin email and password (portico admin create).',
      {
        headers: CHALLENGE,
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
    throw new AppError('unauthorized', 'The admin email or password is wrong.', { headers: CHALLENGE });
  }
  return { adminId, email: email.trim().toLowerCase() };
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.js';
import { randomSecret, sha256Hex } from '../platform/crypto/tokens.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import type { AdminPrincipal } from './guard.js';
import { deleteAdminSessionByTokenHash, findAdminSessionByTokenHash, insertAdminSession } from './store.js';

/**
 * Admin-area sessions for browsers: an HttpOnly, SameSite=Strict cookie holding a random token
 * (stored hashed), and a CSRF token the page sends in X-CSRF-Token on every state change. The
 * CSRF token is derived from the cookie's token (an HMAC), so it is never stored: the database
 * holds neither.
 */
export const COOKIE = 'portico_admin';
const TTL_MS = 12 * 3600_000;

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

const LOOPBACK_IP = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const LOOPBACK_HOST = /^(localhost|.+\.localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/**
 * The cookie is Secure (never sent without TLS) unless the admin area is reached over plain HTTP on
 * loopback: a browser on the same machine, asking for a loopback host. Behind a TLS proxy the
 * request reads as plain HTTP from loopback, but asks for the public host name, so it stays
 * Secure even when the proxy's X-Forwarded-Proto is not trusted.
 */
function secureCookie(request: FastifyRequest): boolean {
  if (request.protocol === 'https') return true;
  return !(LOOPBACK_IP.test(request.ip) && LOOPBACK_HOST.test(request.hostname));
}

function cookie(request: FastifyRequest, value: string, maxAgeS: number): string {
  const secure = secureCookie(request) ? '; Secure' : '';
  return `${COOKIE}=${encodeURIComponent(value)}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`;
}

function csrfFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('portico admin csrf').digest('base64url');
}

type Deps = Pick<AppContext, 'db' | 'clock'>;

export async function startSession(app: Deps, request: FastifyRequest, reply: FastifyReply, admin: AdminPrincipal) {
  const token = randomSecret(32);
  const now = app.clock.nowMs();
  await insertAdminSession(app.db.kysely, {
    id: newId('session', now),
    admin_id: admin.adminId,
    token_hash: sha256Hex(token),
    ip: request.ip,
    created_at_ms: now,
    expires_at_ms: now + TTL_MS,
  });
  reply.header('set-cookie', cookie(request, token, TTL_MS / 1000));
  return { email: admin.email, csrf_token: csrfFor(token) };
}

export async function sessionFor(app: Deps, request: FastifyRequest) {
  const token = readCookie(request, COOKIE);
  if (!token) return undefined;
  const row = await findAdminSessionByTokenHash(app.db.kysely, sha256Hex(token));
  if (!row || row.expires_at_ms <= app.clock.nowMs()) return undefined;
  return { ...row, csrf_token: csrfFor(token) };
}

/** State changes from a cookie session must carry the session's CSRF token. */
export function checkCsrf(request: FastifyRequest, csrfToken: string): void {
  if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return;
  const sent = Buffer.from(String(request.headers['x-csrf-token'] ?? ''));
  const expected = Buffer.from(csrfToken);
  if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    throw new AppError(
      'csrf_failed',
      'This change needs the X-CSRF-Token of your admin session; reload the admin area.',
    );
  }
}

export async function endSession(
  app: Pick<AppContext, 'db'>,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const token = readCookie(request, COOKIE);
  if (token) await deleteAdminSessionByTokenHash(app.db.kysely, sha256Hex(token));
  reply.header('set-cookie', cookie(request, '', 0));
}

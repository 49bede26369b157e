import type { AppContext } from '../app-context.js';
import { randomSecret, sha256Hex } from '../platform/crypto/tokens.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import {
  findRefreshToken,
  findSessionState,
  insertRefreshToken,
  insertSession,
  markRefreshTokenUsed,
  revokeSession,
} from './store.js';

/**
 * Login sessions for JWT clients. A session is a refresh-token family: each refresh uses up the
 * presented token and issues the next one; presenting a used token again means it was copied, so
 * the whole family is revoked (and with it every access token of that session).
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'settings' | 'passwords' | 'throttle' | 'jwt'>;

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
}

const REFRESH_PREFIX = 'rt_';

function refused(detail: string): AppError {
  return new AppError('unauthorized', detail);
}

async function issuePair(deps: Deps, clientId: string, sessionId: string): Promise<TokenPair> {
  const now = deps.clock.nowMs();
  const refreshTtlS = deps.settings.snapshot['userapi.refresh_token_ttl_days'] * 86_400;
  const refresh = `${REFRESH_PREFIX}${randomSecret(32)}`;
  await insertRefreshToken(deps.db.kysely, {
    id: newId('refreshToken', now),
    session_id: sessionId,
    token_hash: sha256Hex(refresh),
    created_at_ms: now,
    expires_at_ms: now + refreshTtlS * 1000,
  });
  const access = await deps.jwt.issue(clientId, sessionId);
  return {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresInS,
    refresh_token: refresh,
    refresh_token_expires_in: refreshTtlS,
  };
}

export async function login(
  deps: Deps,
  input: { email: string; password: string; ip: string; userAgent: string | undefined },
): Promise<{ clientId: string; tokens: TokenPair }> {
  const clientId = await deps.passwords.verify(input.email, input.password, () =>
    deps.throttle.check(input.email, input.ip),
  );
  if (!clientId) {
    await deps.throttle.fail(input.email, input.ip);
    throw refused('The email or password is wrong, or the account is not active.');
  }
  await deps.throttle.succeed(input.email, input.ip);
  const now = deps.clock.nowMs();
  const sessionId = newId('session', now);
  const refreshTtlMs = deps.settings.snapshot['userapi.refresh_token_ttl_days'] * 86_400_000;
  await insertSession(deps.db.kysely, {
    id: sessionId,
    client_id: clientId,
    created_at_ms: now,
    expires_at_ms: now + refreshTtlMs,
    ip: input.ip,
    user_agent: input.userAgent?.slice(0, 300) ?? null,
  });
  return { clientId, tokens: await issuePair(deps, clientId, sessionId) };
}

export async function refresh(deps: Deps, presented: string): Promise<{ clientId: string; tokens: TokenPair }> {
  const now = deps.clock.nowMs();
  const row = presented.startsWith(REFRESH_PREFIX)
    ? await findRefreshToken(deps.db.kysely, sha256Hex(presented))
    : undefined;
  if (!row) throw refused('The refresh token is not valid. Log in again.');
  const session = await findSessionState(deps.db.kysely, row.session_id);
  if (!session || session.revoked_at_ms !== null || session.status !== 'active') {
    throw refused('This login session has ended. Log in again.');
  }
  if (row.expires_at_ms <= now) throw refused('The refresh token has expired. Log in again.');
  if (row.used_at_ms !== null || !(await markRefreshTokenUsed(deps.db.kysely, row.id, now))) {
    // A used refresh token presented again: someone holds a copy. End the whole session.
    await revokeSession(deps.db.kysely, row.session_id, now);
    throw refused('This refresh token was already used, so the session has been ended for safety. Log in again.');
  }
  return { clientId: session.client_id, tokens: await issuePair(deps, session.client_id, row.session_id) };
}

export async function logout(deps: Deps, sessionId: string): Promise<void> {
  await revokeSession(deps.db.kysely, sessionId, deps.clock.nowMs());
}

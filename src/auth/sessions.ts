import type { AppContext } from '../app-context.js';
import { randomSecret, sha256Hex } from '../platform/crypto/tokens.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import {
  findRefreshToken,
  findRefreshTokenById,
  findSessionState,
  insertRefreshToken,
  insertSession,
  revokeSession,
  rotateRefreshToken,
} from './store.js';

/**
 * Login sessions for JWT clients. A session is a refresh-token family: each refresh uses up the
 * presented token and issues the next one; presenting a used token again means it was copied, so
 * the whole family is revoked (and with it every access token of that session) — unless it comes
 * within the reuse interval, when it is a client that lost the answer or refreshed from several
 * requests at once, and it gets the same new pair again.
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'settings' | 'passwords' | 'throttle' | 'jwt' | 'secrets'>;

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
}

const REFRESH_PREFIX = 'rt_';
/** How long a used refresh token still answers with the pair it was traded for. */
export const REFRESH_REUSE_INTERVAL_MS = 30_000;

function refused(detail: string): AppError {
  return new AppError('unauthorized', detail);
}

function newRefreshRow(deps: Deps, sessionId: string) {
  const now = deps.clock.nowMs();
  const refreshTtlS = deps.settings.snapshot['userapi.refresh_token_ttl_days'] * 86_400;
  const refresh = `${REFRESH_PREFIX}${randomSecret(32)}`;
  const row = {
    id: newId('refreshToken', now),
    session_id: sessionId,
    token_hash: sha256Hex(refresh),
    created_at_ms: now,
    expires_at_ms: now + refreshTtlS * 1000,
  };
  return { row, refresh, refreshTtlS };
}

/** The pair handed out: an access token for the session, and the next refresh token. */
async function pairFor(
  deps: Deps,
  input: { clientId: string; next: ReturnType<typeof newRefreshRow> },
): Promise<TokenPair> {
  const access = await deps.jwt.issue(input.clientId, input.next.row.session_id);
  return {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresInS,
    refresh_token: input.next.refresh,
    refresh_token_expires_in: input.next.refreshTtlS,
  };
}

async function issuePair(deps: Deps, clientId: string, sessionId: string): Promise<TokenPair> {
  const next = newRefreshRow(deps, sessionId);
  await insertRefreshToken(deps.db.kysely, next.row);
  return pairFor(deps, { clientId, next });
}

/** The pair a used token was traded for, if it was used within the reuse interval; its lifetimes count down. */
function recentSuccessor(
  deps: Deps,
  row: { used_at_ms: number | null; successor_sealed: string | null },
  nowMs: number,
): TokenPair | undefined {
  if (row.used_at_ms === null || row.successor_sealed === null) return undefined;
  const elapsedMs = nowMs - row.used_at_ms;
  if (elapsedMs > REFRESH_REUSE_INTERVAL_MS) return undefined;
  const pair = JSON.parse(deps.secrets().open(row.successor_sealed)) as TokenPair;
  const elapsedS = Math.floor(Math.max(0, elapsedMs) / 1000);
  return {
    ...pair,
    expires_in: Math.max(0, pair.expires_in - elapsedS),
    refresh_token_expires_in: Math.max(0, pair.refresh_token_expires_in - elapsedS),
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
  let row = presented.startsWith(REFRESH_PREFIX)
    ? await findRefreshToken(deps.db.kysely, sha256Hex(presented))
    : undefined;
  if (!row) throw refused('The refresh token is not valid. Log in again.');
  const session = await findSessionState(deps.db.kysely, row.session_id);
  if (!session || session.revoked_at_ms !== null || session.status !== 'active') {
    throw refused('This login session has ended. Log in again.');
  }
  if (row.expires_at_ms <= now) throw refused('The refresh token has expired. Log in again.');
  if (row.used_at_ms === null) {
    const next = newRefreshRow(deps, row.session_id);
    const tokens = await pairFor(deps, { clientId: session.client_id, next });
    const successorSealed = deps.secrets().seal(JSON.stringify(tokens));
    if (await rotateRefreshToken(deps.db.kysely, { usedId: row.id, nowMs: now, successorSealed, next: next.row })) {
      return { clientId: session.client_id, tokens };
    }
    // A concurrent refresh with the same token got there first: answer with its pair.
    row = (await findRefreshTokenById(deps.db.kysely, row.id)) ?? row;
  }
  const again = recentSuccessor(deps, row, now);
  if (again) return { clientId: session.client_id, tokens: again };
  // A used refresh token presented again after the reuse interval: someone holds a copy. End the whole session.
  await revokeSession(deps.db.kysely, row.session_id, now);
  throw refused('This refresh token was already used, so the session has been ended for safety. Log in again.');
}

export async function logout(deps: Deps, sessionId: string): Promise<void> {
  await revokeSession(deps.db.kysely, sessionId, deps.clock.nowMs());
}

import type { Kysely, Selectable } from 'kysely';
import { prepared } from '../platform/db/prepared.js';
import type { ApiTokensTable, Database } from '../platform/db/schema.js';

/** The auth feature's SQL. */

export async function findClientCredentials(db: Kysely<Database>, email: string) {
  // Runs on every Basic-authenticated request: compiled once.
  const query = prepared(
    db,
    'auth.clientCredentials',
    (d) => d.selectFrom('clients').select(['id', 'password_hash', 'status']).where('email', '=', '?'),
    { cache: true },
  );
  const rows = await query([email.trim().toLowerCase()]);
  return rows[0];
}

/** Admins have no status of their own: an admin row is an active admin. */
export async function findAdminCredentials(db: Kysely<Database>, email: string) {
  const row = await db
    .selectFrom('admins')
    .select(['id', 'password_hash', 'status'])
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return row;
}

export async function findClientStatus(db: Kysely<Database>, clientId: string) {
  return db
    .selectFrom('clients')
    .select(['id', 'status', 'password_hash'])
    .where('id', '=', clientId)
    .executeTakeFirst();
}

/** Ends every login session of a client: their refresh tokens and access tokens stop working. */
export async function revokeAllSessions(db: Kysely<Database>, clientId: string, nowMs: number): Promise<void> {
  await db
    .updateTable('auth_sessions')
    .set({ revoked_at_ms: nowMs })
    .where('client_id', '=', clientId)
    .where('revoked_at_ms', 'is', null)
    .execute();
}

export async function insertSession(
  db: Kysely<Database>,
  row: {
    id: string;
    client_id: string;
    created_at_ms: number;
    expires_at_ms: number;
    ip: string | null;
    user_agent: string | null;
  },
): Promise<void> {
  await db
    .insertInto('auth_sessions')
    .values({ ...row, revoked_at_ms: null })
    .execute();
}

export async function revokeSession(db: Kysely<Database>, sessionId: string, nowMs: number): Promise<void> {
  await db
    .updateTable('auth_sessions')
    .set({ revoked_at_ms: nowMs })
    .where('id', '=', sessionId)
    .where('revoked_at_ms', 'is', null)
    .execute();
}

/** The per-request check behind a JWT: is its session still live and its client active? */
export async function findSessionState(db: Kysely<Database>, sessionId: string) {
  const query = prepared(
    db,
    'auth.sessionState',
    (d) =>
      d
        .selectFrom('auth_sessions')
        .innerJoin('clients', 'clients.id', 'auth_sessions.client_id')
        .select([
          'auth_sessions.client_id',
          'auth_sessions.revoked_at_ms',
          'auth_sessions.expires_at_ms',
          'clients.status',
        ])
        .where('auth_sessions.id', '=', '?'),
    { cache: true },
  );
  const rows = await query([sessionId]);
  return rows[0];
}

export async function insertRefreshToken(
  db: Kysely<Database>,
  row: { id: string; session_id: string; token_hash: string; created_at_ms: number; expires_at_ms: number },
): Promise<void> {
  await db
    .insertInto('refresh_tokens')
    .values({ ...row, used_at_ms: null, successor_sealed: null })
    .execute();
}

export function findRefreshToken(db: Kysely<Database>, tokenHash: string) {
  return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export function findRefreshTokenById(db: Kysely<Database>, id: string) {
  return db.selectFrom('refresh_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

class LostRace extends Error {}

/**
 * Uses up a refresh token and stores its successor, in one transaction: the next token's row and
 * the used mark (with the sealed pair handed out, for retries within the reuse interval) commit
 * together or not at all. False when the token was already used (a replay, or a concurrent refresh
 * that got there first); nothing is written then.
 */
export async function rotateRefreshToken(
  db: Kysely<Database>,
  input: {
    usedId: string;
    nowMs: number;
    successorSealed: string;
    next: { id: string; session_id: string; token_hash: string; created_at_ms: number; expires_at_ms: number };
  },
): Promise<boolean> {
  try {
    await db.transaction().execute(async (trx) => {
      await insertRefreshToken(trx, input.next);
      const result = await trx
        .updateTable('refresh_tokens')
        .set({ used_at_ms: input.nowMs, successor_sealed: input.successorSealed })
        .where('id', '=', input.usedId)
        .where('used_at_ms', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new LostRace();
    });
    return true;
  } catch (error) {
    if (error instanceof LostRace) return false;
    throw error;
  }
}

// API tokens (api-tokens.ts).

/** What verifying a token needs: the token's row and its client's status, in one read. */
export function findApiTokenForVerify(db: Kysely<Database>, id: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('clients', 'clients.id', 'api_tokens.client_id')
    .select(['api_tokens.id', 'api_tokens.client_id', 'api_tokens.scope', 'api_tokens.token_hash'])
    .select(['api_tokens.expires_at_ms', 'api_tokens.revoked_at_ms', 'clients.status'])
    .where('api_tokens.id', '=', id)
    .executeTakeFirst();
}

export async function touchApiToken(db: Kysely<Database>, id: string, nowMs: number): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at_ms: nowMs }).where('id', '=', id).execute();
}

export async function insertApiToken(db: Kysely<Database>, row: Selectable<ApiTokensTable>): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
}

/** A client's tokens that are not revoked (expired ones included: the client sees they expired), newest first. */
export function listLiveApiTokens(db: Kysely<Database>, clientId: string): Promise<Selectable<ApiTokensTable>[]> {
  return db
    .selectFrom('api_tokens')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('revoked_at_ms', 'is', null)
    .orderBy('id', 'desc')
    .execute();
}

/** Revokes one of the client's tokens; false when it has no such token (or it was revoked already). */
export async function revokeApiToken(
  db: Kysely<Database>,
  clientId: string,
  id: string,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at_ms: nowMs })
    .where('id', '=', id)
    .where('client_id', '=', clientId)
    .where('revoked_at_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Revokes every personal API token of a client (a password reset: the account may be someone else's). */
export async function revokeAllApiTokens(db: Kysely<Database>, clientId: string, nowMs: number): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ revoked_at_ms: nowMs })
    .where('client_id', '=', clientId)
    .where('revoked_at_ms', 'is', null)
    .execute();
}

// JWT signing keys (jwt-keys.ts).

/** Records the public half of a signing key in use (or that it is still in use). */
export async function recordJwtKey(db: Kysely<Database>, kid: string, publicJwk: string, nowMs: number): Promise<void> {
  await db
    .insertInto('jwt_keys')
    .values({ kid, public_jwk: publicJwk, created_at_ms: nowMs, last_seen_at_ms: nowMs })
    .onConflict((oc) => oc.column('kid').doUpdateSet({ last_seen_at_ms: nowMs }))
    .execute();
}

/** The keys some instance signed with since sinceMs: the ones tokens may still be signed by. */
export function listJwtKeysSeenSince(db: Kysely<Database>, sinceMs: number) {
  return db.selectFrom('jwt_keys').selectAll().where('last_seen_at_ms', '>=', sinceMs).execute();
}

import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../platform/clock.js';
import { randomSecret, safeEqualHex, sha256Hex } from '../platform/crypto/tokens.js';
import type { ApiTokensTable, Database, TokenScope } from '../platform/db/schema.js';
import { iso } from '../platform/http/checks.js';
import { AppError, notFound } from '../platform/http/errors.js';
import { ID_PREFIXES, newId } from '../platform/ids.js';
import { API_TOKEN_PREFIX, type BearerVerifier } from './authenticate.js';
import type { Principal } from './principal.js';
import { findApiTokenForVerify, insertApiToken, listLiveApiTokens, revokeApiToken, touchApiToken } from './store.js';

/**
 * Personal API tokens: `ptk_<id>_<secret>`. The id part finds the row; only a SHA-256 of the
 * secret is stored and compared in constant time. The secret is shown once, at creation.
 */
type TokenRow = Selectable<ApiTokensTable>;
const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const TOKEN_PATTERN = new RegExp(`^${API_TOKEN_PREFIX}([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$`);

function toView(row: TokenRow) {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    created_at: iso(row.created_at_ms),
    expires_at: iso(row.expires_at_ms),
    last_used_at: iso(row.last_used_at_ms),
  };
}

function unauthorized(detail: string): AppError {
  return new AppError('unauthorized', detail, {
    headers: { 'www-authenticate': 'Bearer realm="Portico User API", error="invalid_token"' },
  });
}

export class ApiTokens implements BearerVerifier {
  /** When each token's last_used_at was last written, so use is recorded without a write per request. */
  private readonly lastWritten = new Map<string, number>();

  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock }) {}

  async verify(credential: string): Promise<Principal> {
    const match = TOKEN_PATTERN.exec(credential);
    if (!match) throw unauthorized('The API token is malformed.');
    const id = `${ID_PREFIXES.apiToken}_${match[1]}`;
    const row = await findApiTokenForVerify(this.deps.db, id);
    const now = this.deps.clock.nowMs();
    if (!row || !safeEqualHex(row.token_hash, sha256Hex(match[2]!)) || row.revoked_at_ms !== null) {
      throw unauthorized('The API token is not valid (unknown or revoked).');
    }
    if (row.expires_at_ms !== null && row.expires_at_ms <= now)
      throw unauthorized('The API token has expired; create a new one.');
    if (row.status !== 'active') throw unauthorized('The account is not active.');
    this.recordUse(row.id, now);
    return { clientId: row.client_id, method: 'token', scope: row.scope, tokenId: row.id };
  }

  private recordUse(id: string, nowMs: number): void {
    if (nowMs - (this.lastWritten.get(id) ?? 0) < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastWritten.set(id, nowMs);
    // Off the request path: a failed write only loses a timestamp.
    touchApiToken(this.deps.db, id, nowMs).catch(() => this.lastWritten.delete(id));
  }

  async create(clientId: string, input: { name: string; scope: TokenScope; expiresInDays?: number | undefined }) {
    const now = this.deps.clock.nowMs();
    const id = newId('apiToken', now);
    const secret = randomSecret(32);
    const row: TokenRow = {
      id,
      client_id: clientId,
      name: input.name.trim(),
      scope: input.scope,
      token_hash: sha256Hex(secret),
      created_at_ms: now,
      expires_at_ms: input.expiresInDays ? now + input.expiresInDays * 86_400_000 : null,
      last_used_at_ms: null,
      revoked_at_ms: null,
    };
    await insertApiToken(this.deps.db, row);
    return { ...toView(row), token: `${API_TOKEN_PREFIX}${id.slice(ID_PREFIXES.apiToken.length + 1)}_${secret}` };
  }

  async list(clientId: string) {
    const rows = await listLiveApiTokens(this.deps.db, clientId);
    return rows.map(toView);
  }

  async revoke(clientId: string, id: string): Promise<void> {
    if (!(await revokeApiToken(this.deps.db, clientId, id, this.deps.clock.nowMs()))) throw notFound('The API token');
  }
}

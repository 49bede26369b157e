import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../platform/clock.js';
import { verifyPassword } from '../platform/crypto/password.js';
import { sha256Hex } from '../platform/crypto/tokens.js';
import type { Database } from '../platform/db/schema.js';
import { findClientCredentials } from './store.js';

/**
 * Email + password verification for HTTP Basic. The KDF costs tens of milliseconds by design, so a
 * successful verification is cached briefly, keyed by a peppered hash of the credentials (the
 * password itself is never kept). The cache entry remembers the password hash it was verified
 * against; every request still reads the client's row, so a password change (on any instance)
 * or a suspended account takes effect at once.
 */
const CACHE_TTL_MS = 60_000;
const CACHE_MAX_ENTRIES = 10_000;

interface CacheEntry {
  clientId: string;
  passwordHash: string;
  expiresAtMs: number;
}

export class PasswordVerifier {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly pepper = randomBytes(16).toString('hex');

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  /** Returns the client id when the email and password match an active client, else null. */
  async verify(email: string, password: string): Promise<string | null> {
    const key = sha256Hex(`${this.pepper}\0${email.toLowerCase()}\0${password}`);
    const row = await findClientCredentials(this.db, email);
    if (!row || row.status !== 'active') return null;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAtMs > this.clock.nowMs() && cached.passwordHash === row.password_hash) {
      return cached.clientId;
    }
    if (!(await verifyPassword(password, row.password_hash))) return null;
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(key, {
      clientId: row.id,
      passwordHash: row.password_hash,
      expiresAtMs: this.clock.nowMs() + CACHE_TTL_MS,
    });
    return row.id;
  }

  /** Drops this instance's cached verifications for a client (other instances see the new hash). */
  forget(clientId: string): void {
    for (const [key, entry] of this.cache) if (entry.clientId === clientId) this.cache.delete(key);
  }
}

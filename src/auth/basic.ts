import { randomBytes } from 'node:crypto';
import type { Clock } from '../platform/clock.js';
import { dummyPasswordHash, verifyPassword } from '../platform/crypto/password.js';
import { sha256Hex } from '../platform/crypto/tokens.js';

/** Looks up an account's id, password hash and status by email (clients, or admins). */
export type CredentialLookup = (
  email: string,
) => Promise<{ id: string; password_hash: string; status: string } | undefined>;

/**
 * Email + password verification for HTTP Basic and logins. The KDF costs tens of milliseconds by design, so a
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
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly lookup: CredentialLookup,
    private readonly clock: Clock,
  ) {}

  /**
   * Returns the account id when the email and password match an active account, else null.
   * `beforeKdf` runs only when the slow check is needed (a cache miss): failed-login throttling
   * goes there, so a correct cached login costs no throttle lookup.
   */
  async verify(email: string, password: string, beforeKdf?: () => Promise<void>): Promise<string | null> {
    const key = sha256Hex(`${this.pepper}\0${email.toLowerCase()}\0${password}`);
    const row = await this.lookup(email);
    const cached = this.cache.get(key);
    if (row?.status === 'active' && cached && cached.expiresAtMs > this.clock.nowMs()) {
      if (cached.passwordHash === row.password_hash) return cached.clientId;
    }
    await beforeKdf?.();
    // Unknown accounts cost the same KDF run as known ones, so timing does not reveal which
    // emails exist.
    const hash = row?.password_hash ?? (await dummyPasswordHash());
    // Concurrent requests with the same credentials (a client opening many connections at once)
    // share one KDF run instead of each paying for it.
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = verifyPassword(password, hash).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const matches = await pending;
    if (!matches || !row || row.status !== 'active') return null;
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

import { randomUUID, sign } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import type { SettingsStore } from '../settings/store.js';
import type { BearerVerifier } from './authenticate.js';
import type { JwtKeyRing } from './jwt-keys.js';
import type { Principal } from './principal.js';
import { findSessionState } from './store.js';

/**
 * RS256 access tokens. Verification is strict (RS256 only; exp, nbf, iss, aud, kid checked by
 * jose) and expensive, so a verified token's claims are cached until it expires; the one thing
 * re-checked on every request is the session row (revoked by logout, password change or refresh
 * reuse) and the client's status — one indexed read, so revocation is immediate everywhere.
 */
export const JWT_ISSUER = 'portico';
export const JWT_AUDIENCE = 'portico-user-api';
const CACHE_MAX_ENTRIES = 50_000;

interface VerifiedClaims {
  clientId: string;
  sessionId: string;
  notBeforeMs: number;
  expiresAtMs: number;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function invalid(detail: string): AppError {
  return new AppError('unauthorized', detail, {
    headers: { 'www-authenticate': 'Bearer realm="Portico User API", error="invalid_token"' },
  });
}

export class JwtAuth implements BearerVerifier {
  private readonly verified = new Map<string, VerifiedClaims>();

  constructor(
    private readonly deps: { db: Kysely<Database>; keys: JwtKeyRing; clock: Clock; settings: SettingsStore },
  ) {}

  async issue(clientId: string, sessionId: string): Promise<{ token: string; expiresInS: number }> {
    const key = await this.deps.keys.current();
    const nowS = Math.floor(this.deps.clock.nowMs() / 1000);
    const expiresInS = this.deps.settings.snapshot['userapi.access_token_ttl_s'];
    const header = b64({ alg: 'RS256', typ: 'JWT', kid: key.kid });
    const payload = b64({
      iss: JWT_ISSUER,
      aud: JWT_AUDIENCE,
      sub: clientId,
      sid: sessionId,
      iat: nowS,
      nbf: nowS,
      exp: nowS + expiresInS,
      jti: randomUUID(),
    });
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key.privateKey).toString('base64url');
    return { token: `${header}.${payload}.${signature}`, expiresInS };
  }

  async verify(token: string): Promise<Principal> {
    const now = this.deps.clock.nowMs();
    let claims = this.verified.get(token);
    if (!claims) claims = await this.verifySignature(token, now);
    if (now >= claims.expiresAtMs) {
      this.verified.delete(token);
      throw new AppError(
        'token_expired',
        'The access token has expired. Get a new one with POST /api/v1/auth/refresh.',
      );
    }
    if (now < claims.notBeforeMs) throw invalid('The access token is not valid yet.');
    const session = await findSessionState(this.deps.db, claims.sessionId);
    if (!session || session.client_id !== claims.clientId || session.revoked_at_ms !== null) {
      throw invalid('This login session has ended (logout or password change). Log in again.');
    }
    if (session.status !== 'active') throw invalid('The account is not active.');
    return { clientId: claims.clientId, method: 'jwt', scope: 'write', sessionId: claims.sessionId };
  }

  private async verifySignature(token: string, nowMs: number): Promise<VerifiedClaims> {
    // jose is loaded on the first token, not by every process that builds the context (the CLI).
    const { errors: joseErrors, jwtVerify } = await import('jose');
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          const key = header.kid ? await this.deps.keys.verificationKey(header.kid) : undefined;
          if (!key) throw invalid('The access token was signed by a key this server does not know.');
          return key;
        },
        {
          algorithms: ['RS256'],
          issuer: JWT_ISSUER,
          audience: JWT_AUDIENCE,
          currentDate: new Date(nowMs),
          requiredClaims: ['sub', 'sid', 'exp', 'nbf', 'iat'],
        },
      );
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string')
        throw invalid('The access token is not valid.');
      const claims = {
        clientId: payload.sub,
        sessionId: payload.sid,
        notBeforeMs: payload.nbf! * 1000,
        expiresAtMs: payload.exp! * 1000,
      };
      if (this.verified.size >= CACHE_MAX_ENTRIES) this.verified.clear();
      this.verified.set(token, claims);
      return claims;
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof joseErrors.JWTExpired) {
        throw new AppError(
          'token_expired',
          'The access token has expired. Get a new one with POST /api/v1/auth/refresh.',
        );
      }
      if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'nbf') {
        throw invalid('The access token is not valid yet.');
      }
      throw invalid('The access token is not valid.');
    }
  }
}

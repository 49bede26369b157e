import type { AppContext } from '../app-context.js';
import { sha256Hex } from '../platform/crypto/tokens.js';
import { AppError } from '../platform/http/errors.js';
import { claimKey, deleteExpiredKeys, findKey, releaseKey, storeResponse } from './idempotency-store.js';

/**
 * Idempotency-Key on POSTs that create or pay. The same key with the same request replays the
 * stored response (so a retried payment never pays twice); the same key with a different request
 * is refused (422); a key whose first request is still running is a 409 with Retry-After. Keys are
 * per client and kept 24 hours. Failed requests are not stored: fix the request and send it again
 * with the key. A stored response can hold a secret shown once (a database password, an API
 * token), so it is sealed with the master key at rest.
 */
const KEY = /^[\x21-\x7e]{1,255}$/;
const TTL_MS = 24 * 3600_000;
/** Seconds a client is asked to wait before retrying a request whose first attempt is still running. */
const IN_FLIGHT_RETRY_AFTER_S = 1;

export interface StoredResponse {
  status: number;
  body: unknown;
}

export async function withIdempotency(
  app: Pick<AppContext, 'db' | 'clock' | 'secrets'>,
  input: { clientId: string; key: string; method: string; path: string; body: unknown },
  run: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  if (!KEY.test(input.key)) {
    throw new AppError(
      'validation_failed',
      'The Idempotency-Key must be 1–255 printable ASCII characters (a UUID is ideal).',
      {
        errors: [{ field: 'header.idempotency-key', message: 'must be 1–255 printable ASCII characters' }],
      },
    );
  }
  const db = app.db.kysely;
  const now = app.clock.nowMs();
  const hash = sha256Hex(`${input.method} ${input.path}\n${JSON.stringify(input.body ?? null)}`);
  await deleteExpiredKeys(db, now - TTL_MS);
  if (!(await claimKey(db, { clientId: input.clientId, key: input.key, requestHash: hash, nowMs: now }))) {
    const row = await findKey(db, input.clientId, input.key);
    if (row.request_hash !== hash) {
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was used for a different request; use a new key for a new request.',
      );
    }
    if (row.response_status === null) {
      throw new AppError(
        'conflict',
        'A request with this Idempotency-Key is still being processed; retry in a moment.',
        { headers: { 'retry-after': String(IN_FLIGHT_RETRY_AFTER_S) } },
      );
    }
    const body = row.response_body === null ? null : JSON.parse(app.secrets().open(row.response_body));
    return { status: row.response_status, body, replayed: true };
  }
  try {
    const response = await run();
    await storeResponse(db, input.clientId, input.key, {
      status: response.status,
      bodySealed: app.secrets().seal(JSON.stringify(response.body ?? null)),
    });
    return { ...response, replayed: false };
  } catch (error) {
    await releaseKey(db, input.clientId, input.key);
    throw error;
  }
}

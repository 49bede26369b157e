import type { Kysely, Selectable } from 'kysely';
import type { Database, IdempotencyKeysTable } from '../platform/db/schema.js';

/** The Idempotency-Key records' SQL: one row per client and key, claimed before the request runs. */
export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

export async function deleteExpiredKeys(db: Kysely<Database>, beforeMs: number): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('created_at_ms', '<', beforeMs).execute();
}

/** Claims the key for this request; false when the client already holds it (a retry, or a reuse). */
export async function claimKey(
  db: Kysely<Database>,
  claim: { clientId: string; key: string; requestHash: string; nowMs: number },
): Promise<boolean> {
  const claimed = await db
    .insertInto('idempotency_keys')
    .values({
      client_id: claim.clientId,
      key: claim.key,
      request_hash: claim.requestHash,
      response_status: null,
      response_body: null,
      created_at_ms: claim.nowMs,
    })
    .onConflict((oc) => oc.columns(['client_id', 'key']).doNothing())
    .executeTakeFirst();
  return Number(claimed.numInsertedOrUpdatedRows ?? 0) !== 0;
}

export function findKey(db: Kysely<Database>, clientId: string, key: string): Promise<IdempotencyRow> {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
}

/** Stores the first request's response (its body sealed by the caller) for the retries to replay. */
export async function storeResponse(
  db: Kysely<Database>,
  clientId: string,
  key: string,
  response: { status: number; bodySealed: string },
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: response.status, response_body: response.bodySealed })
    .where('client_id', '=', clientId)
    .where('key', '=', key)
    .execute();
}

/** Frees a key whose request failed, so the fixed request can be sent again with it. */
export async function releaseKey(db: Kysely<Database>, clientId: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('client_id', '=', clientId).where('key', '=', key).execute();
}

import type { Kysely } from 'kysely';
import type { Database, PasswordResetsTable } from '../platform/db/schema.js';

/** Password reset tokens (the password_resets table): only their SHA-256 is stored. */
type Subject = PasswordResetsTable['subject_type'];

export async function insertReset(
  db: Kysely<Database>,
  row: { tokenHash: string; subjectType: Subject; subjectId: string; expiresAtMs: number; nowMs: number },
): Promise<void> {
  // A new token replaces the ones asked for before: only the latest email works.
  await db
    .updateTable('password_resets')
    .set({ used_at_ms: row.nowMs })
    .where('subject_type', '=', row.subjectType)
    .where('subject_id', '=', row.subjectId)
    .where('used_at_ms', 'is', null)
    .execute();
  await db
    .insertInto('password_resets')
    .values({
      token_hash: row.tokenHash,
      subject_type: row.subjectType,
      subject_id: row.subjectId,
      expires_at_ms: row.expiresAtMs,
      used_at_ms: null,
      created_at_ms: row.nowMs,
    })
    .execute();
}

/**
 * Uses up a token: the subject it resets when it was unused and unexpired, undefined otherwise.
 * The conditional update makes two concurrent uses of one token succeed once.
 */
export async function takeReset(
  db: Kysely<Database>,
  tokenHash: string,
  subjectType: Subject,
  nowMs: number,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('password_resets')
    .select(['subject_id'])
    .where('token_hash', '=', tokenHash)
    .where('subject_type', '=', subjectType)
    .where('used_at_ms', 'is', null)
    .where('expires_at_ms', '>', nowMs)
    .executeTakeFirst();
  if (!row) return undefined;
  const used = await db
    .updateTable('password_resets')
    .set({ used_at_ms: nowMs })
    .where('token_hash', '=', tokenHash)
    .where('used_at_ms', 'is', null)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1 ? row.subject_id : undefined;
}

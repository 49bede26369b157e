import type { Insertable, Kysely } from 'kysely';
import type { AuditLogTable, Database } from '../platform/db/schema.js';

/** The audit log's SQL. */
export async function insertAuditEntry(db: Kysely<Database>, row: Insertable<AuditLogTable>): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

import type { Insertable, Kysely } from 'kysely';
import type { AuditLogTable, Database } from '../platform/db/schema.js';

/** The audit log's SQL. */
export async function insertAuditEntry(db: Kysely<Database>, row: Insertable<AuditLogTable>): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

export async function insertAuditEntries(db: Kysely<Database>, rows: Insertable<AuditLogTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('audit_log')
      .values(rows.slice(i, i + 500))
      .execute();
}

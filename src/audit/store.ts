import { type Insertable, type Kysely, sql } from 'kysely';
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

export interface AuditFilter {
  actorType?: AuditLogTable['actor_type'] | undefined;
  actorId?: string | undefined;
  /** An action or its prefix: `client.` matches every client action. */
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
  beforeId?: string | undefined;
  limit: number;
}

/** Entries newest first, with the acting admin's email when an admin acted. */
export function listAuditEntries(db: Kysely<Database>, f: AuditFilter) {
  let query = db
    .selectFrom('audit_log')
    .leftJoin('admins', (join) =>
      join.onRef('admins.id', '=', 'audit_log.actor_id').on('audit_log.actor_type', '=', 'admin'),
    )
    .selectAll('audit_log')
    .select('admins.email as actor_email');
  if (f.actorType) query = query.where('audit_log.actor_type', '=', f.actorType);
  if (f.actorId) query = query.where('audit_log.actor_id', '=', f.actorId);
  if (f.action) {
    const prefix = f.action.replace(/[\\%_]/g, (c) => `\\${c}`);
    query = query.where((eb) =>
      eb.or([
        eb('audit_log.action', '=', f.action ?? ''),
        eb('audit_log.action', 'like', sql<string>`${`${prefix}%`} escape '\\'`),
      ]),
    );
  }
  if (f.targetType) query = query.where('audit_log.target_type', '=', f.targetType);
  if (f.targetId) query = query.where('audit_log.target_id', '=', f.targetId);
  if (f.sinceMs !== undefined) query = query.where('audit_log.at_ms', '>=', f.sinceMs);
  if (f.untilMs !== undefined) query = query.where('audit_log.at_ms', '<', f.untilMs);
  if (f.beforeId) query = query.where('audit_log.id', '<', f.beforeId);
  return query.orderBy('audit_log.id', 'desc').limit(f.limit).execute();
}

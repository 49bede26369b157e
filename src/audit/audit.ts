import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { insertAuditEntries, insertAuditEntry } from './store.js';

/** The audit log: who did what to what, when and from where. Written in the caller's transaction. */
export interface AuditEntry {
  actorType: 'admin' | 'client' | 'system' | 'cli';
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  ip?: string | null;
  requestId?: string | null;
  details?: Record<string, unknown>;
}

function auditRow(nowMs: number, entry: AuditEntry) {
  return {
    id: newId('audit', nowMs),
    at_ms: nowMs,
    actor_type: entry.actorType,
    actor_id: entry.actorId,
    action: entry.action,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId ?? null,
    ip: entry.ip ?? null,
    request_id: entry.requestId ?? null,
    details: entry.details ? JSON.stringify(entry.details) : null,
  };
}

export async function audit(db: Kysely<Database>, nowMs: number, entry: AuditEntry): Promise<void> {
  await insertAuditEntry(db, auditRow(nowMs, entry));
}

/** Many entries at once (the billing run's batches), same rows as `audit` one by one. */
export async function auditMany(db: Kysely<Database>, nowMs: number, entries: AuditEntry[]): Promise<void> {
  await insertAuditEntries(
    db,
    entries.map((entry) => auditRow(nowMs, entry)),
  );
}

import type { AppContext } from '../app-context.js';
import { decodeCursor, iso, toPage } from '../platform/http/checks.js';
import { type AuditFilter, listAuditEntries } from './store.js';

/** One page of the audit log for the admin area, newest first. */
export async function pageAudit(
  app: Pick<AppContext, 'db'>,
  filter: Omit<AuditFilter, 'beforeId'> & { cursor?: string | undefined },
) {
  const { cursor, ...rest } = filter;
  const rows = await listAuditEntries(app.db.kysely, {
    ...rest,
    beforeId: decodeCursor(cursor, 'audit'),
    limit: filter.limit + 1,
  });
  return toPage(rows, filter.limit, (r) => ({
    id: r.id,
    at: iso(r.at_ms),
    actor: { type: r.actor_type, id: r.actor_id, email: r.actor_email ?? null },
    action: r.action,
    target: r.target_type || r.target_id ? { type: r.target_type, id: r.target_id } : null,
    ip: r.ip,
    request_id: r.request_id,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
  }));
}

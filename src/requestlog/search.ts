import type { AppContext } from '../app-context.js';
import type { RequestLogTable } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import { iso } from '../platform/http/schemas.js';
import { SUMMARY_COLUMNS } from './entry.js';

/** Finding entries in the request log (admin area, Admin API, `portico logs search`), and retention. */
export interface LogFilter {
  clientId?: string | undefined;
  route?: string | undefined;
  status?: number | undefined;
  ip?: string | undefined;
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
  /** Entries older than this id (newest first paging). */
  beforeId?: string | undefined;
  limit?: number | undefined;
}

export type LogSummary = Pick<RequestLogTable, (typeof SUMMARY_COLUMNS)[number]>;

export function entryView(row: LogSummary) {
  return {
    id: row.id,
    at: iso(row.at_ms),
    method: row.method,
    route: row.operation_id,
    path: row.path,
    status: row.status,
    duration_ms: row.duration_ms,
    ip: row.ip,
    client_id: row.client_id,
    request_id: row.request_id,
  };
}

export async function searchLog(app: Pick<AppContext, 'db'>, filter: LogFilter): Promise<LogSummary[]> {
  let q = app.db.kysely.selectFrom('request_log').select(SUMMARY_COLUMNS);
  if (filter.clientId) q = q.where('client_id', '=', filter.clientId);
  if (filter.route)
    q = q.where((eb) => eb.or([eb('operation_id', '=', filter.route!), eb('path', '=', filter.route!)]));
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (filter.ip) q = q.where('ip', '=', filter.ip);
  if (filter.sinceMs !== undefined) q = q.where('at_ms', '>=', filter.sinceMs);
  if (filter.untilMs !== undefined) q = q.where('at_ms', '<=', filter.untilMs);
  if (filter.beforeId) q = q.where('id', '<', filter.beforeId);
  return q
    .orderBy('id', 'desc')
    .limit(Math.min(filter.limit ?? 50, 1000))
    .execute();
}

/** One entry in full. Bodies are stored once each (request_log_body); older rows hold them inline. */
export async function getEntry(app: Pick<AppContext, 'db'>, id: string) {
  const row = await app.db.kysely
    .selectFrom('request_log as l')
    .leftJoin('request_log_body as req', 'req.hash', 'l.request_body_hash')
    .leftJoin('request_log_body as res', 'res.hash', 'l.response_body_hash')
    .selectAll('l')
    .select(['req.body as stored_request_body', 'res.body as stored_response_body'])
    .where('l.id', '=', id)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `No log entry ${id} (it may have passed the retention period).`);
  return {
    ...entryView(row),
    query: row.query,
    request_headers: row.request_headers ? JSON.parse(row.request_headers) : null,
    request_body: row.request_body ?? row.stored_request_body,
    response_body: row.response_body ?? row.stored_response_body,
  };
}

const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value);
  // A leading = + - @ would be run as a formula by spreadsheet software.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export function toCsv(rows: LogSummary[]): string {
  const header = ['id', 'at', 'method', 'route', 'path', 'status', 'duration_ms', 'ip', 'client_id', 'request_id'];
  const lines = rows.map((r) => {
    const v = entryView(r);
    return [v.id, v.at, v.method, v.route, v.path, v.status, v.duration_ms, v.ip, v.client_id, v.request_id]
      .map(csvCell)
      .join(',');
  });
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

/**
 * Deletes entries older than the retention setting, then the bodies no newer entry shows (a
 * body's `last_at_ms` is its newest entry's time); returns how many entries went.
 */
export async function pruneLog(app: Pick<AppContext, 'db' | 'clock' | 'settings'>): Promise<number> {
  const cutoff = app.clock.nowMs() - app.settings.snapshot['userapi.log_retention_days'] * 86_400_000;
  const result = await app.db.kysely.deleteFrom('request_log').where('at_ms', '<', cutoff).executeTakeFirst();
  await app.db.kysely.deleteFrom('request_log_body').where('last_at_ms', '<', cutoff).execute();
  return Number(result.numDeletedRows);
}

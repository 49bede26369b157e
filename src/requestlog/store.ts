import { type Kysely, sql } from 'kysely';
import type { Database } from '../platform/db/schema.js';

/**
 * The request log's read and retention SQL (search.ts). The log thread writes segments with its
 * own prepared statements on its own connection (thread.ts).
 */

/** What a segment's summary columns can be asked: a segment that may hold a matching entry. */
export interface SegmentFilter {
  clientId?: string | undefined;
  route?: string | undefined;
  status?: number | undefined;
  ip?: string | undefined;
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
}

/** A segment whose summary column lists the value (LIKE is only a first cut: entries are matched exactly). */
function lists(column: 'client_ids' | 'routes' | 'statuses' | 'ips', value: string) {
  const escaped = value.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<boolean>`${sql.ref(column)} LIKE ${`%\n${escaped}\n%`} ESCAPE '\\'`;
}

/**
 * Segments that can match, newest first: up to and including atOrBelowId, or strictly below
 * belowId (the next page of a search).
 */
export function listSegments(
  db: Kysely<Database>,
  filter: SegmentFilter,
  page: { atOrBelowId?: string | undefined; belowId?: string | undefined; limit: number },
): Promise<{ id: string; entries: string }[]> {
  let q = db.selectFrom('request_log_segment').select(['id', 'entries']);
  if (filter.clientId) q = q.where(lists('client_ids', filter.clientId));
  if (filter.route) q = q.where(lists('routes', filter.route));
  if (filter.status !== undefined) q = q.where(lists('statuses', String(filter.status)));
  if (filter.ip) q = q.where(lists('ips', filter.ip));
  if (filter.sinceMs !== undefined) q = q.where('last_at_ms', '>=', filter.sinceMs);
  if (filter.untilMs !== undefined) q = q.where('first_at_ms', '<=', filter.untilMs);
  if (page.atOrBelowId !== undefined) q = q.where('id', '<=', page.atOrBelowId);
  if (page.belowId !== undefined) q = q.where('id', '<', page.belowId);
  return q.orderBy('id', 'desc').limit(page.limit).execute();
}

export async function findSegmentEntries(db: Kysely<Database>, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('request_log_segment').select('entries').where('id', '=', id).executeTakeFirst();
  return row?.entries;
}

/** The stored bodies with these hashes, by hash. */
export async function findBodies(db: Kysely<Database>, hashes: readonly string[]): Promise<Map<string, string>> {
  if (hashes.length === 0) return new Map();
  const rows = await db.selectFrom('request_log_body').select(['hash', 'body']).where('hash', 'in', hashes).execute();
  return new Map(rows.map((b) => [b.hash, b.body]));
}

/** Deletes the segments whose newest entry is older than cutoffMs, then the bodies no newer entry shows; returns the entries deleted. */
export async function deleteLogBefore(db: Kysely<Database>, cutoffMs: number): Promise<number> {
  const old = await db
    .selectFrom('request_log_segment')
    .select((eb) => eb.fn.sum<number | string | null>('entry_count').as('entries'))
    .where('last_at_ms', '<', cutoffMs)
    .executeTakeFirst();
  await db.deleteFrom('request_log_segment').where('last_at_ms', '<', cutoffMs).execute();
  await db.deleteFrom('request_log_body').where('last_at_ms', '<', cutoffMs).execute();
  return Number(old?.entries ?? 0);
}

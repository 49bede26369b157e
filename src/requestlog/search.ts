import type { AppContext } from '../app-context.js';
import { normaliseEmail } from '../clients/clients.js';
import { findClientByEmail, findClientNames } from '../clients/store.js';
import { iso } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';
import { decodeSegment, type StoredEntry } from './segment.js';
import { deleteLogBefore, findBodies, findSegmentEntries, listSegments } from './store.js';

/**
 * Finding entries in the request log (admin area, Admin API, `portico logs search`), and
 * retention. Entries are stored a segment per row (ADR 0007): a search reads the segments whose
 * summary columns can match, newest first, and picks the matching entries out of them.
 */
export interface LogFilter {
  clientId?: string | undefined;
  /** The calling client's email (any case): its entries, however it authenticated. */
  clientEmail?: string | undefined;
  route?: string | undefined;
  status?: number | undefined;
  ip?: string | undefined;
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
  /** Entries older than this id (newest first paging). */
  beforeId?: string | undefined;
  limit?: number | undefined;
}

/** An entry as a list shows it (bodies and headers only when one entry is opened). */
export interface LogSummary {
  id: string;
  at_ms: number;
  method: string;
  operation_id: string | null;
  path: string;
  status: number;
  duration_ms: number;
  ip: string;
  client_id: string | null;
  request_id: string;
}

/** An entry's id: its segment's id, a dot, and its place in the segment (sorts in logged order). */
const entryId = (segmentId: string, index: number) => `${segmentId}.${String(index).padStart(4, '0')}`;
/** entryId's inverse; the index is NaN for an id without one. */
function parseEntryId(id: string): { segmentId: string; index: number } {
  const dot = id.lastIndexOf('.');
  return dot === -1
    ? { segmentId: id, index: Number.NaN }
    : { segmentId: id.slice(0, dot), index: Number(id.slice(dot + 1)) };
}
export const ENTRY_ID_PATTERN = '^log_[0-9A-HJKMNP-TV-Z]{26}\\.[0-9]{4}$';

function summaryOf(id: string, e: StoredEntry): LogSummary {
  return {
    id,
    at_ms: e[0],
    method: e[1],
    operation_id: e[2],
    path: e[3],
    status: e[5],
    duration_ms: e[6],
    ip: e[7],
    client_id: e[8],
    request_id: e[9],
  };
}

/** The client who sent a request, as the admin knows them. */
export interface LogClient {
  id: string;
  name: string;
  email: string;
}

/** The clients the rows name (a client since deleted is left out: the entry keeps its id). */
export async function clientsOf(
  app: Pick<AppContext, 'db'>,
  rows: { client_id: string | null }[],
): Promise<Map<string, LogClient>> {
  const ids = [...new Set(rows.map((r) => r.client_id).filter((id): id is string => id !== null))];
  return new Map((await findClientNames(app.db.kysely, ids)).map((c) => [c.id, c]));
}

export function entryView(row: LogSummary, clients?: Map<string, LogClient>) {
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
    client: (row.client_id && clients?.get(row.client_id)) || null,
    request_id: row.request_id,
  };
}

/** Segments read at a time while a search looks for more matching entries. */
const SEGMENTS_PER_READ = 8;

function matches(e: StoredEntry, filter: LogFilter): boolean {
  return (
    (!filter.clientId || e[8] === filter.clientId) &&
    (!filter.route || e[2] === filter.route || e[3] === filter.route) &&
    (filter.status === undefined || e[5] === filter.status) &&
    (!filter.ip || e[7] === filter.ip) &&
    (filter.sinceMs === undefined || e[0] >= filter.sinceMs) &&
    (filter.untilMs === undefined || e[0] <= filter.untilMs)
  );
}

/** Matching entries, newest first (in the order they were logged, by id). */
export async function searchLog(app: Pick<AppContext, 'db'>, wanted: LogFilter): Promise<LogSummary[]> {
  const limit = Math.min(wanted.limit ?? 50, 1000);
  let filter = wanted;
  if (wanted.clientEmail !== undefined) {
    // Entries name the client by id: the email is looked up, and no such client has no entries.
    const client = await findClientByEmail(app.db.kysely, normaliseEmail(wanted.clientEmail));
    if (!client || (wanted.clientId && wanted.clientId !== client.id)) return [];
    filter = { ...wanted, clientId: client.id };
  }
  const before = filter.beforeId;
  // The segment of the entry to page from, included (its older entries are listed).
  let page: { atOrBelowId?: string; belowId?: string } =
    before === undefined ? {} : { atOrBelowId: parseEntryId(before).segmentId };
  const found: LogSummary[] = [];
  for (;;) {
    const segments = await listSegments(app.db.kysely, filter, { ...page, limit: SEGMENTS_PER_READ });
    for (const segment of segments) {
      const entries = decodeSegment(segment.entries);
      for (let i = entries.length - 1; i >= 0; i--) {
        const id = entryId(segment.id, i);
        const entry = entries[i]!;
        if ((before !== undefined && id >= before) || !matches(entry, filter)) continue;
        found.push(summaryOf(id, entry));
        if (found.length >= limit) return found;
      }
    }
    const last = segments.at(-1);
    if (!last || segments.length < SEGMENTS_PER_READ) return found;
    page = { belowId: last.id };
  }
}

/** One entry in full, its bodies read from request_log_body. */
export async function getEntry(app: Pick<AppContext, 'db'>, id: string) {
  const notFound = new AppError('not_found', `No log entry ${id} (it may have passed the retention period).`);
  const { segmentId, index } = parseEntryId(id);
  if (!Number.isInteger(index) || index < 0) throw notFound;
  const entries = await findSegmentEntries(app.db.kysely, segmentId);
  const entry = entries === undefined ? undefined : decodeSegment(entries)[index];
  if (!entry) throw notFound;
  const hashes = [entry[10], entry[11]].filter((h): h is string => h !== null);
  const bodies = await findBodies(app.db.kysely, hashes);
  const summary = summaryOf(id, entry);
  return {
    ...entryView(summary, await clientsOf(app, [summary])),
    query: entry[4],
    request_headers: JSON.parse(entry[12]) as Record<string, string>,
    request_body: (entry[10] && bodies.get(entry[10])) ?? null,
    response_body: (entry[11] && bodies.get(entry[11])) ?? null,
  };
}

const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? '' : String(value);
  // A leading = + - @ would be run as a formula by spreadsheet software.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export function toCsv(rows: LogSummary[], clients?: Map<string, LogClient>): string {
  const header = [
    'id',
    'at',
    'method',
    'route',
    'path',
    'status',
    'duration_ms',
    'ip',
    'client_id',
    'request_id',
    'client_name',
    'client_email',
  ];
  const lines = rows.map((r) => {
    const v = entryView(r, clients);
    return [
      v.id,
      v.at,
      v.method,
      v.route,
      v.path,
      v.status,
      v.duration_ms,
      v.ip,
      v.client_id,
      v.request_id,
      v.client?.name,
      v.client?.email,
    ]
      .map(csvCell)
      .join(',');
  });
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

/**
 * Deletes entries older than the retention setting (whole segments, each spanning at most a
 * second), then the bodies no newer entry shows (a body's `last_at_ms` is its newest entry's
 * time); returns how many entries went.
 */
export async function pruneLog(app: Pick<AppContext, 'db' | 'clock' | 'settings'>): Promise<number> {
  const cutoff = app.clock.nowMs() - app.settings.snapshot['userapi.log_retention_days'] * 86_400_000;
  return deleteLogBefore(app.db.kysely, cutoff);
}

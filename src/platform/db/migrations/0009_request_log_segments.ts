import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';

/**
 * The request log is stored a segment per row (ADR 0007): the entries a log thread writes together,
 * as one JSON array, with the distinct clients, routes, statuses and IPs they hold listed beside it
 * for filtering. Entries logged before are moved into segments here, in their order, so nothing
 * logged is lost; their bodies go to request_log_body like every body since 0008. A segment's
 * `entries` are `{"strings": [...], "entries": [...]}`; an entry is, by position: at_ms, method,
 * operation_id, path, query, status, duration_ms, ip, client_id, request_id, request_body_hash,
 * response_body_hash, request_headers (JSON text), its text fields but request_id given as
 * indexes into `strings` (CODED).
 */
const SEGMENT_ENTRIES = 500;
const SEGMENT_SPAN_MS = 1_000;
const CODED = [1, 2, 3, 4, 7, 8, 10, 11, 12];

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not depend on today's schema types
type Db = Kysely<any>;

export async function up(db: Db): Promise<void> {
  await db.schema
    .createTable('request_log_segment')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('first_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('entry_count', 'integer', (c) => c.notNull())
    .addColumn('client_ids', 'text', (c) => c.notNull())
    .addColumn('routes', 'text', (c) => c.notNull())
    .addColumn('statuses', 'text', (c) => c.notNull())
    .addColumn('ips', 'text', (c) => c.notNull())
    .addColumn('entries', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('request_log_segment_last').on('request_log_segment').column('last_at_ms').execute();

  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('request_log')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(SEGMENT_ENTRIES)
      .execute();
    if (rows.length === 0) break;
    after = (rows[rows.length - 1] as { id: string }).id;
    let segment: Segment | undefined;
    for (const row of rows) {
      const atMs = Number(row.at_ms);
      // A segment spans at most a second from its first entry: retention drops whole segments.
      if (
        !segment ||
        segment.entries.length >= SEGMENT_ENTRIES ||
        atMs < segment.first ||
        atMs - segment.first > SEGMENT_SPAN_MS
      ) {
        if (segment) await insertSegment(db, segment);
        segment = { id: row.id, first: atMs, last: atMs, entries: [] };
      }
      segment.last = Math.max(segment.last, atMs);
      segment.entries.push([
        atMs,
        row.method,
        row.operation_id,
        row.path,
        row.query,
        Number(row.status),
        Number(row.duration_ms),
        row.ip,
        row.client_id,
        row.request_id,
        row.request_body_hash ?? (await storeBody(db, row.request_body, atMs)),
        row.response_body_hash ?? (await storeBody(db, row.response_body, atMs)),
        row.request_headers ?? '{}',
      ]);
    }
    if (segment) await insertSegment(db, segment);
  }
  await db.schema.dropTable('request_log').execute();
}

interface Segment {
  id: string;
  first: number;
  last: number;
  entries: unknown[][];
}

const listed = (values: unknown[]) =>
  `\n${[...new Set(values.filter((v) => v !== null && v !== undefined).map(String))].join('\n')}\n`;

async function insertSegment(db: Db, s: Segment): Promise<void> {
  await db
    .insertInto('request_log_segment')
    .values({
      id: s.id,
      first_at_ms: s.first,
      last_at_ms: s.last,
      entry_count: s.entries.length,
      client_ids: listed(s.entries.map((e) => e[8])),
      routes: listed(s.entries.flatMap((e) => [e[2], e[3]])),
      statuses: listed(s.entries.map((e) => e[5])),
      ips: listed(s.entries.map((e) => e[7])),
      entries: JSON.stringify(coded(s.entries)),
    })
    .execute();
}

function coded(entries: unknown[][]) {
  const strings: string[] = [];
  const codes = new Map<string, number>();
  for (const entry of entries) {
    for (const at of CODED) {
      const value = entry[at];
      if (typeof value !== 'string') continue;
      if (!codes.has(value)) codes.set(value, strings.push(value) - 1);
      entry[at] = codes.get(value);
    }
  }
  return { strings, entries };
}

/** An inline body (rows from before 0008) stored once, as the log thread stores bodies. */
async function storeBody(db: Db, body: string | null, atMs: number): Promise<string | null> {
  if (body === null || body === undefined) return null;
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 24);
  const known = await db
    .selectFrom('request_log_body')
    .select('last_at_ms')
    .where('hash', '=', hash)
    .executeTakeFirst();
  if (!known) await db.insertInto('request_log_body').values({ hash, body, last_at_ms: atMs }).execute();
  else if (Number(known.last_at_ms) < atMs)
    await db.updateTable('request_log_body').set({ last_at_ms: atMs }).where('hash', '=', hash).execute();
  return hash;
}

import { parentPort } from 'node:worker_threads';
import { sql } from 'kysely';
import { connectSqlite, openDatabase } from '../platform/db/index.js';
import type { RequestLogBodyTable, RequestLogSegmentTable } from '../platform/db/schema.js';
import { threadData } from '../platform/threads.js';
import type { EntryBatch } from './entry.js';
import { SegmentGatherer } from './segment.js';

/**
 * The request log's own thread: it redacts captured requests and writes them on its own database
 * connection, so neither costs the request thread anything (writer.ts). Entries arrive in small
 * batches (one flat array each, entry.ts), are turned into segments as they arrive (one row per
 * few hundred entries: segment.ts, ADR 0007) and written together every 100 ms. Every write is
 * answered with its entry count, and a flush is answered once everything before it is written.
 *
 * The sinks' inserts stay here rather than in store.ts: they run on this thread's own connection
 * (SQLite statements prepared once and run in one transaction per write), which is what keeps
 * logging off the request thread's cost. The log's reads and retention are in store.ts.
 */
export type ToLogThread =
  | { type: 'entries'; batch: EntryBatch; count: number }
  | { type: 'flush'; id: number }
  | { type: 'close'; id: number };
export type FromLogThread = { type: 'written'; rows: number; failed?: string } | { type: 'flushed'; id: number };

/** Entries are gathered here and written in one transaction this often (or on a flush). */
const WRITE_EVERY_MS = 100;
const INSERT_CHUNK = 100;

export interface Sink {
  /** Stores the segments and their bodies (kept until the newest entry using them is pruned). */
  write(segments: RequestLogSegmentTable[], bodies: Iterable<RequestLogBodyTable>): Promise<void>;
  close(): Promise<void>;
}

/** SQLite: prepared inserts inside one transaction. */
export function sqliteSink(path: string): Sink {
  const sqlite = connectSqlite(path);
  const insert = sqlite.prepare(
    `INSERT INTO request_log_segment (id, first_at_ms, last_at_ms, entry_count, client_ids, routes, statuses, ips, entries)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const upsertBody = sqlite.prepare(
    `INSERT INTO request_log_body (hash, body, last_at_ms) VALUES (?, ?, ?)
     ON CONFLICT (hash) DO UPDATE SET last_at_ms = max(last_at_ms, excluded.last_at_ms)`,
  );
  const insertAll = sqlite.transaction((segments: RequestLogSegmentTable[], bodies: Iterable<RequestLogBodyTable>) => {
    for (const body of bodies) upsertBody.run(body.hash, body.body, body.last_at_ms);
    for (const s of segments)
      insert.run(
        s.id,
        s.first_at_ms,
        s.last_at_ms,
        s.entry_count,
        s.client_ids,
        s.routes,
        s.statuses,
        s.ips,
        s.entries,
      );
  });
  return {
    write: async (segments, bodies) => insertAll(segments, bodies),
    close: async () => {
      sqlite.close();
    },
  };
}

/** PostgreSQL: multi-row inserts in one transaction, on a small pool of its own. */
function postgresSink(databaseUrl: string, sqlitePath: string): Sink {
  const db = openDatabase({ databaseUrl, sqlitePath, poolSize: 2 });
  return {
    write: (segments, bodies) =>
      db.kysely.transaction().execute(async (trx) => {
        const distinct = [...bodies];
        for (let i = 0; i < distinct.length; i += INSERT_CHUNK) {
          await trx
            .insertInto('request_log_body')
            .values(distinct.slice(i, i + INSERT_CHUNK))
            .onConflict((oc) =>
              oc.column('hash').doUpdateSet({
                last_at_ms: sql<number>`greatest(request_log_body.last_at_ms, excluded.last_at_ms)`,
              }),
            )
            .execute();
        }
        for (let i = 0; i < segments.length; i += INSERT_CHUNK) {
          await trx
            .insertInto('request_log_segment')
            .values(segments.slice(i, i + INSERT_CHUNK))
            .execute();
        }
      }),
    close: () => db.close(),
  };
}

if (parentPort) {
  const port = parentPort;
  const target = threadData<{ databaseUrl?: string; sqlitePath: string }>();
  // Opened on first use, and again after a failure to open (a database not migrated yet, say):
  // a write that cannot be made is answered as failed, and the thread carries on.
  let sink: Sink | undefined;
  const openSink = () => {
    sink ??= target.databaseUrl ? postgresSink(target.databaseUrl, target.sqlitePath) : sqliteSink(target.sqlitePath);
    return sink;
  };
  // Batches are turned into segments as they arrive (so they are not kept alive until the write),
  // and written together every WRITE_EVERY_MS.
  let gatherer = new SegmentGatherer();
  let pendingRows = 0;
  let timer: NodeJS.Timeout | undefined;
  let queue: Promise<void> = Promise.resolve();
  const inOrder = (task: () => Promise<void>) => {
    queue = queue.then(task);
  };
  const failed = (rows: number, error: unknown): FromLogThread => ({
    type: 'written',
    rows,
    failed: error instanceof Error ? error.message : String(error),
  });

  const writePending = async (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const rows = pendingRows;
    if (rows === 0) return;
    const { segments, bodies } = gatherer.take();
    pendingRows = 0;
    let reply: FromLogThread = { type: 'written', rows };
    try {
      await openSink().write(segments, bodies);
    } catch (error) {
      reply = failed(rows, error);
    }
    port.postMessage(reply);
  };

  port.on('message', (message: ToLogThread) => {
    if (message.type === 'entries') {
      try {
        gatherer.add(message.batch);
      } catch (error) {
        // What this batch added is dropped with it; the others are unaffected.
        gatherer = new SegmentGatherer();
        port.postMessage(failed(message.count + pendingRows, error));
        pendingRows = 0;
        return;
      }
      pendingRows += message.count;
      timer ??= setTimeout(() => inOrder(writePending), WRITE_EVERY_MS);
      return;
    }
    inOrder(async () => {
      await writePending();
      if (message.type === 'close') await sink?.close();
      port.postMessage({ type: 'flushed', id: message.id } satisfies FromLogThread);
      if (message.type === 'close') port.close();
    });
  });
}

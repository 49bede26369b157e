import { parentPort } from 'node:worker_threads';
import { sql } from 'kysely';
import { connectSqlite, openDatabase } from '../platform/db/index.js';
import type { RequestLogBodyTable, RequestLogTable } from '../platform/db/schema.js';
import { threadData } from '../platform/threads.js';
import { BodyBatch, decodeEntries, type EntryBatch, ResponseDedup, STORED_COLUMNS, toLogRow } from './entry.js';

/**
 * The request log's own thread: it redacts captured requests and writes them in batches on its
 * own database connection, so neither costs the request thread anything (writer.ts). Entries
 * arrive in small batches (one flat array each, entry.ts) and are gathered here for 100 ms (not on
 * the request thread, where holding them made them survive garbage collections); every write is
 * answered with its row count, and a flush is answered once everything before it is written.
 */
export type ToLogThread =
  | { type: 'entries'; batch: EntryBatch; count: number }
  | { type: 'flush'; id: number }
  | { type: 'close'; id: number };
export type FromLogThread = { type: 'written'; rows: number; failed?: string } | { type: 'flushed'; id: number };

/** Rows are gathered here and written in one transaction this often (or on a flush). */
const WRITE_EVERY_MS = 100;
const INSERT_CHUNK = 200;

export interface Sink {
  /** Stores the rows and their bodies (kept until the newest row using them is pruned). */
  write(rows: RequestLogTable[], bodies: Iterable<RequestLogBodyTable>): Promise<void>;
  close(): Promise<void>;
}

/**
 * SQLite: one prepared insert run per row inside a transaction (a few µs a row; a Kysely
 * multi-row insert is compiled afresh per batch and costs several times more).
 */
export function sqliteSink(path: string): Sink {
  const sqlite = connectSqlite(path);
  const insert = sqlite.prepare(
    `INSERT INTO request_log (${STORED_COLUMNS.join(', ')}) VALUES (${STORED_COLUMNS.map(() => '?').join(', ')})`,
  );
  const upsertBody = sqlite.prepare(
    `INSERT INTO request_log_body (hash, body, last_at_ms) VALUES (?, ?, ?)
     ON CONFLICT (hash) DO UPDATE SET last_at_ms = max(last_at_ms, excluded.last_at_ms)`,
  );
  const insertAll = sqlite.transaction((rows: RequestLogTable[], bodies: Iterable<RequestLogBodyTable>) => {
    for (const body of bodies) upsertBody.run(body.hash, body.body, body.last_at_ms);
    for (const row of rows) {
      // STORED_COLUMNS, in order, listed out: mapping over the list (or binding by name) costs
      // 0.7–1.3 µs a row more (bench/request-log.ts).
      insert.run(
        row.id,
        row.at_ms,
        row.method,
        row.operation_id,
        row.path,
        row.status,
        row.duration_ms,
        row.ip,
        row.client_id,
        row.request_id,
        row.request_body_hash,
        row.response_body_hash,
        row.query,
        row.request_headers,
      );
    }
  });
  return {
    write: async (rows, bodies) => insertAll(rows, bodies),
    close: async () => {
      sqlite.close();
    },
  };
}

/** PostgreSQL: multi-row inserts in one transaction, on a small pool of its own. */
function postgresSink(databaseUrl: string, sqlitePath: string): Sink {
  const db = openDatabase({ databaseUrl, sqlitePath, poolSize: 2 });
  return {
    write: (rows, bodies) =>
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
        for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
          await trx
            .insertInto('request_log')
            .values(rows.slice(i, i + INSERT_CHUNK))
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
  // Batches wait here as they came and are decoded only when written.
  let pending: EntryBatch[] = [];
  let pendingRows = 0;
  let timer: NodeJS.Timeout | undefined;
  let queue: Promise<void> = Promise.resolve();
  const inOrder = (task: () => Promise<void>) => {
    queue = queue.then(task);
  };

  const writePending = async (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const batches = pending;
    const reply: FromLogThread = { type: 'written', rows: pendingRows };
    pending = [];
    pendingRows = 0;
    if (batches.length === 0) return;
    try {
      const bodies = new BodyBatch();
      const rows = batches.flatMap((batch) => {
        // Repeats within a batch refer to its earlier entries (ResponseDedup): one per batch.
        const dedup = new ResponseDedup();
        return decodeEntries(batch).map((entry) => toLogRow(entry, dedup, bodies));
      });
      await openSink().write(rows, bodies.bodies.values());
    } catch (error) {
      reply.failed = error instanceof Error ? error.message : String(error);
    }
    port.postMessage(reply);
  };

  port.on('message', (message: ToLogThread) => {
    if (message.type === 'entries') {
      pending.push(message.batch);
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

import { parentPort } from 'node:worker_threads';
import { connectSqlite, openDatabase } from '../platform/db/index.js';
import type { RequestLogTable } from '../platform/db/schema.js';
import { threadData } from '../platform/threads.js';
import { type CapturedRequest, ResponseDedup, toLogRow } from './entry.js';

/**
 * The request log's own thread: it redacts captured requests and writes them in batches on its
 * own database connection, so neither costs the request thread anything (writer.ts). Entries
 * arrive in small messages and are gathered here (not on the request thread, where holding them
 * for 100 ms made them survive garbage collections); every write is answered with its row count,
 * and a flush is answered once everything before it is written.
 */
export type ToLogThread =
  | { type: 'entries'; entries: CapturedRequest[] }
  | { type: 'flush'; id: number }
  | { type: 'close'; id: number };
export type FromLogThread = { type: 'written'; rows: number; failed?: string } | { type: 'flushed'; id: number };

/** Rows are gathered here and written in one transaction this often (or on a flush). */
const WRITE_EVERY_MS = 100;
const INSERT_CHUNK = 200;
const COLUMNS = [
  'id',
  'at_ms',
  'method',
  'operation_id',
  'path',
  'status',
  'duration_ms',
  'ip',
  'client_id',
  'request_id',
  'request_body',
  'response_body',
  'query',
  'request_headers',
] as const satisfies readonly (keyof RequestLogTable)[];

interface Sink {
  write(rows: RequestLogTable[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * SQLite: one prepared insert run per row inside a transaction (a few µs a row; a Kysely
 * multi-row insert is compiled afresh per batch and costs several times more).
 */
function sqliteSink(path: string): Sink {
  const sqlite = connectSqlite(path);
  const insert = sqlite.prepare(
    `INSERT INTO request_log (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
  );
  const insertAll = sqlite.transaction((rows: RequestLogTable[]) => {
    for (const row of rows) insert.run(COLUMNS.map((column) => row[column]));
  });
  return {
    write: async (rows) => insertAll(rows),
    close: async () => {
      sqlite.close();
    },
  };
}

/** PostgreSQL: multi-row inserts in one transaction, on a small pool of its own. */
function postgresSink(databaseUrl: string, sqlitePath: string): Sink {
  const db = openDatabase({ databaseUrl, sqlitePath, poolSize: 2 });
  return {
    write: (rows) =>
      db.kysely.transaction().execute(async (trx) => {
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
  let pending: CapturedRequest[] = [];
  const dedup = new ResponseDedup();
  let timer: NodeJS.Timeout | undefined;
  let queue: Promise<void> = Promise.resolve();
  const inOrder = (task: () => Promise<void>) => {
    queue = queue.then(task);
  };

  const writePending = async (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const entries = pending;
    pending = [];
    if (entries.length === 0) return;
    const reply: FromLogThread = { type: 'written', rows: entries.length };
    try {
      await openSink().write(entries.map((entry) => toLogRow(entry, dedup)));
    } catch (error) {
      reply.failed = error instanceof Error ? error.message : String(error);
    }
    port.postMessage(reply);
  };

  port.on('message', (message: ToLogThread) => {
    if (message.type === 'entries') {
      for (const entry of message.entries) pending.push(entry);
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

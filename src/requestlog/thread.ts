import { parentPort } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { openDatabase } from '../platform/db/index.js';
import type { RequestLogTable } from '../platform/db/schema.js';
import { threadData } from '../platform/threads.js';
import { type CapturedRequest, toLogRow } from './entry.js';

/**
 * The request log's own thread: it redacts captured requests and writes them in batches on its
 * own database connection, so neither costs the request thread anything (writer.ts). Messages
 * are handled one at a time, in order; each batch is answered, so the writer knows what landed.
 */
export type ToLogThread = { type: 'write'; id: number; entries: CapturedRequest[] } | { type: 'close'; id: number };
export type FromLogThread = { type: 'written'; id: number; failed?: { rows: number; message: string } };

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
  const sqlite = new SQLite(path);
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
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
  const sink = target.databaseUrl ? postgresSink(target.databaseUrl, target.sqlitePath) : sqliteSink(target.sqlitePath);
  let queue: Promise<void> = Promise.resolve();

  port.on('message', (message: ToLogThread) => {
    queue = queue.then(async () => {
      const reply: FromLogThread = { type: 'written', id: message.id };
      if (message.type === 'close') {
        await sink.close();
        port.postMessage(reply);
        port.close();
        return;
      }
      try {
        if (message.entries.length > 0) await sink.write(message.entries.map(toLogRow));
      } catch (error) {
        reply.failed = {
          rows: message.entries.length,
          message: error instanceof Error ? error.message : String(error),
        };
      }
      port.postMessage(reply);
    });
  });
}

import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import type { ReadStamp } from './read-cache.js';

/**
 * The PostgreSQL read stamp (read-cache.ts), kept coherent across instances with LISTEN/NOTIFY.
 *
 * - Every table but the request log's carries a statement-level trigger that calls
 *   `pg_notify('portico_writes', '')` (`ensureWriteNotifyTriggers`). A notification is sent when
 *   the writing transaction commits, and only then; PostgreSQL folds a transaction's identical
 *   notifications into one. So any writer — another instance, a worker, the CLI, an operator's
 *   psql — is announced, once a transaction, with no extra round trip for the writer.
 * - Each process keeps one connection listening on the channel (opened on the first cached
 *   read); a notification moves the stamp, which drops every cached answer.
 * - This process's own writes move the stamp when each statement completes (counted where the
 *   pool's connections run them), so a read after a local write never needs the notification.
 * - A notification can be lost: the listening connection breaks, or a write bypasses the
 *   trigger. While the listener is not connected nothing is cached (every read goes to the
 *   database), a reconnect drops the cache, and whatever happens the stamp moves every
 *   `maxStaleMs` — the longest a cached answer can outlive a write nobody announced.
 */
export const WRITE_CHANNEL = 'portico_writes';

/** Tables written on every request or job heartbeat that no cached read reads. */
const SILENT_TABLES = new Set(['request_log', 'request_log_body', 'request_log_segment']);
const TRIGGER = 'portico_write_notify';

export interface PgReadStampOptions {
  /** The pg module, loaded by the caller (a SQLite install never loads it). */
  driver: typeof pg;
  connectionString: string;
  /** The longest a cached answer may outlive a write whose notification was lost. */
  maxStaleMs: number;
  onError?: (error: Error) => void;
}

export interface PgReadStamp {
  stamp: ReadStamp;
  /** Counts a statement run on one of the pool's connections (writes move the stamp). */
  observe(pool: pg.Pool): void;
  close(): Promise<void>;
}

export function pgReadStamp(options: PgReadStampOptions): PgReadStamp {
  let localWrites = 0;
  let remote = 0;
  let uncached = 0;
  let listener: pg.Client | undefined;
  let connected = false;
  let connecting: Promise<void> | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const lost = (error?: Error) => {
    if (error) options.onError?.(error);
    connected = false;
    remote += 1;
    const client = listener;
    listener = undefined;
    client?.removeAllListeners();
    client?.on('error', () => {});
    client?.end().catch(() => {});
    if (!closed && !retry) {
      retry = setTimeout(() => {
        retry = undefined;
        void listen();
      }, 1_000);
      retry.unref();
    }
  };

  const listen = (): Promise<void> => {
    if (closed || connecting || connected) return connecting ?? Promise.resolve();
    const client = new options.driver.Client({ connectionString: options.connectionString });
    listener = client;
    client.on('notification', () => {
      remote += 1;
    });
    client.on('error', (error) => lost(error));
    client.on('end', () => {
      if (listener === client) lost();
    });
    connecting = client
      .connect()
      .then(() => client.query(`LISTEN ${WRITE_CHANNEL}`))
      .then(() => {
        if (listener !== client) return;
        connected = true;
        // Whatever was written while nobody listened is unknown: start from an empty cache.
        remote += 1;
      })
      .catch((error: Error) => {
        if (listener === client) lost(error);
      })
      .finally(() => {
        connecting = undefined;
      });
    return connecting;
  };

  return {
    stamp: () => {
      if (!connected) {
        if (!closed) void listen();
        // Not listening: a value never seen before, so nothing is reused.
        uncached += 1;
        return `u${uncached}`;
      }
      return `${remote}:${localWrites}:${Math.floor(Date.now() / options.maxStaleMs)}`;
    },
    observe(pool) {
      pool.on('connect', (client) => {
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        (client as { query: unknown }).query = (...args: unknown[]) => {
          const result = query(...args);
          const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string })?.text ?? '');
          if (!/^\s*select\b/i.test(text) && result instanceof Promise) {
            const count = () => {
              localWrites += 1;
            };
            result.then(count, count);
          }
          return result;
        };
      });
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const client = listener;
      listener = undefined;
      connected = false;
      await connecting;
      if (client) {
        client.removeAllListeners();
        client.on('error', () => {});
        await client.end().catch(() => {});
      }
    },
  };
}

/**
 * Gives every table that lacks it the trigger that announces writes (run after migrations, so
 * tables added later get it too). Looks first and creates only what is missing: opening the
 * database on every start costs one catalogue read, not a lock on every table.
 */
export async function ensureWriteNotifyTriggers<Db>(db: Kysely<Db>): Promise<void> {
  const missing = () => sql<{ table_name: string }>`
    select c.relname as table_name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p')
      and c.relname not like 'kysely_%'
      and not exists (select 1 from pg_trigger t where t.tgrelid = c.oid and t.tgname = ${TRIGGER})
  `;
  const silent = (rows: { table_name: string }[]) => rows.map((r) => r.table_name).filter((t) => !SILENT_TABLES.has(t));
  if (silent((await missing().execute(db)).rows).length === 0) return;
  // Instances starting together on a new database: one adds the triggers, the others wait for it.
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${TRIGGER}))`.execute(trx);
    const tables = silent((await missing().execute(trx)).rows);
    if (tables.length === 0) return;
    await sql`
      create or replace function portico_notify_write() returns trigger language plpgsql as $$
      begin
        perform pg_notify(${sql.lit(WRITE_CHANNEL)}, '');
        return null;
      end $$`.execute(trx);
    for (const table of tables) {
      await sql`create trigger ${sql.id(TRIGGER)} after insert or update or delete or truncate on ${sql.id(table)}
                for each statement execute function portico_notify_write()`.execute(trx);
    }
  });
}

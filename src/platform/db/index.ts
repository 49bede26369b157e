import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import type pg from 'pg';
import { type MigrationDeps, migrationsFor } from './migrations/index.js';
import { ensureWriteNotifyTriggers, pgReadStamp } from './pg-stamp.js';
import { registerReadStamp } from './read-cache.js';
import type { Database } from './schema.js';

export type { Database } from './schema.js';
export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

/**
 * pg, required the first time a PostgreSQL database is opened: a SQLite install (and its CLI)
 * never loads it. PostgreSQL returns int8 (bigint) as strings; our bigints are epoch milliseconds
 * and minor units, well inside Number's exact range.
 */
let postgres: typeof pg | undefined;
function loadPg(): typeof pg {
  if (!postgres) {
    postgres = createRequire(import.meta.url)('pg') as typeof pg;
    postgres.types.setTypeParser(20, (value) => Number.parseInt(value, 10));
  }
  return postgres;
}

export function openDatabase(options: {
  databaseUrl?: string | undefined;
  sqlitePath: string;
  onIdleError?: (error: Error) => void;
  /** PostgreSQL connections kept open (10 by default). */
  poolSize?: number;
  /**
   * PostgreSQL: the longest a cached read may outlive a write whose notification was lost
   * (pg-stamp.ts); 0 turns the read cache off.
   */
  cacheMaxStaleMs?: number;
  /** PostgreSQL: the connection listening for other instances' writes broke (it reconnects). */
  onListenError?: (error: Error) => void;
}): Db {
  if (options.databaseUrl) {
    const driver = loadPg();
    const pool = new driver.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    // An idle connection closed by the server (restart, failover, admin command) is dropped from
    // the pool and replaced on next use; without a listener it would crash the process.
    pool.on('error', (error) => options.onIdleError?.(error));
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const maxStaleMs = options.cacheMaxStaleMs ?? 5_000;
    if (maxStaleMs <= 0) return { kysely, dialect: 'postgres', close: () => kysely.destroy() };
    const stamp = pgReadStamp({
      driver,
      connectionString: options.databaseUrl,
      maxStaleMs,
      ...(options.onListenError ? { onError: options.onListenError } : {}),
    });
    stamp.observe(pool);
    registerReadStamp(kysely, stamp.stamp);
    return {
      kysely,
      dialect: 'postgres',
      close: async () => {
        await stamp.close();
        await kysely.destroy();
      },
    };
  }
  if (options.sqlitePath !== ':memory:') mkdirSync(dirname(options.sqlitePath), { recursive: true, mode: 0o700 });
  const sqlite = connectSqlite(options.sqlitePath);
  const kysely = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  registerReadStamp(kysely, sqliteReadStamp(sqlite));
  return { kysely, dialect: 'sqlite', close: () => kysely.destroy() };
}

/**
 * A connection to Portico's SQLite file, set up the same way wherever one is opened (the app's,
 * the request log thread's): WAL, so readers never wait for the writer; a 5 s wait for a busy
 * writer instead of an immediate error.
 */
export function connectSqlite(path: string): SQLite.Database {
  if (path !== ':memory:') restrictToOwner(path);
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return sqlite;
}

/**
 * The database holds password hashes, sessions and sealed panel credentials: only its owner may
 * read it. The file is created 0600 before SQLite opens it (SQLite gives its -wal and -shm files
 * the database file's mode), and an existing install's files are tightened to 0600.
 */
function restrictToOwner(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/**
 * Writing statements run by any SQLite connection of this process (several instances can share a
 * process: tests, and the CLI commands that open the database next to a server).
 */
const localWrites = { count: 0 };
/** How long a `PRAGMA data_version` reading stands for other processes' commits. */
const OTHER_PROCESS_CHECK_MS = 1;

/**
 * The SQLite read stamp (read-cache.ts). This process's own writes count at once
 * (`localWrites`); other processes' commits (the CLI, a separate worker, another instance on the
 * same file) are seen through `PRAGMA data_version`, which changes when another connection
 * commits. The pragma opens a read transaction, which costs ~15 µs under load here, so a reading
 * stands for one millisecond: a commit by another process is seen within 1 ms, as if it had
 * landed that much later.
 */
function sqliteReadStamp(sqlite: SQLite.Database) {
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  let version: unknown;
  let readAt = 0;
  return () => {
    const now = performance.now();
    if (version === undefined || now - readAt > OTHER_PROCESS_CHECK_MS) {
      version = dataVersion.get();
      readAt = now;
    }
    return `${version}:${localWrites.count}`;
  };
}

/**
 * Kysely's SQLite driver prepares every statement on every execution, which costs more than
 * running it. better-sqlite3 statements are reusable and Kysely runs them synchronously, so a
 * bounded cache keyed by SQL text is safe and removes that cost from every request.
 */
function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver);
      // Kysely prepares each statement right before running it, so counting writing statements
      // here counts this process's writes (the read cache's stamp).
      return (sql: string) => {
        let statement = cache.get(sql);
        if (!statement) {
          if (cache.size >= 1000) cache.clear();
          statement = prepare(sql);
          cache.set(sql, statement);
        }
        if (!statement.readonly) localWrites.count += 1;
        return statement;
      };
    },
  });
}

/** Applies every pending migration; `deps.secrets` lets the ones that seal stored secrets do so. */
export async function migrateToLatest(db: Db, deps: MigrationDeps = {}): Promise<string[]> {
  const migrator = new Migrator({
    db: db.kysely,
    provider: { getMigrations: async () => migrationsFor(deps) },
    // Names are numbered ASCII (0001_core …): compared as strings. Kysely's default,
    // localeCompare, builds an ICU collator first, some 60 ms of every command's start.
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  // Writes on PostgreSQL announce themselves to the other instances' read caches.
  if (db.dialect === 'postgres') await ensureWriteNotifyTriggers(db.kysely);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

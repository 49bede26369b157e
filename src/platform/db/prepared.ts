import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import { cachedRead, cacheKey } from './read-cache.js';

/**
 * Hot-path queries compiled once. Kysely compiles a query builder to SQL on every execution
 * (~20 µs, a large share of a request at 20k requests/s); per-request lookups (auth, lists) build
 * the query once with placeholder values and run the compiled SQL with the real parameters, in
 * the order they appear in the builder.
 */
export type Prepared<Row> = (parameters: readonly unknown[]) => Promise<readonly Row[]>;

export interface PrepareOptions {
  /**
   * Answer repeated reads from memory while the database is unchanged (read-cache.ts). For the
   * per-request lookups (auth, the hottest lists); the rows come back frozen.
   */
  cache?: boolean;
  /** A short name for the query in cache keys (the SQL text otherwise; `prepared` passes its key). */
  name?: string;
}

export function prepare<Row, Db>(db: Kysely<Db>, query: Compilable<Row>, options: PrepareOptions = {}): Prepared<Row> {
  const compiled: CompiledQuery<Row> = query.compile();
  const run = async (parameters: readonly unknown[]) => {
    if (parameters.length !== compiled.parameters.length) {
      throw new Error(`prepared query expects ${compiled.parameters.length} parameters, got ${parameters.length}`);
    }
    const result = await db.executeQuery<Row>({ ...compiled, parameters });
    return result.rows;
  };
  if (!options.cache) return run;
  const prefix = options.name ? `query:${options.name}` : compiled.sql;
  return (parameters) => cachedRead(db, cacheKey(prefix, parameters), () => run(parameters));
}

// biome-ignore lint/suspicious/noExplicitAny: one cache for every database type
const caches = new WeakMap<Kysely<any>, Map<string, Prepared<unknown>>>();

/** `prepare`, memoised per database and key: the first call builds, later calls reuse. */
export function prepared<Row, Db>(
  db: Kysely<Db>,
  key: string,
  build: (db: Kysely<Db>) => Compilable<Row>,
  options: PrepareOptions = {},
): Prepared<Row> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let query = cache.get(key) as Prepared<Row> | undefined;
  if (!query) {
    query = prepare(db, build(db), { name: key, ...options });
    cache.set(key, query as Prepared<unknown>);
  }
  return query;
}

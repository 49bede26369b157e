import type { Kysely } from 'kysely';

/**
 * Hot reads answered from memory while the database is unchanged.
 *
 * A database registers a *stamp*: a value that differs whenever the data may have changed since
 * it was last read. Cached results carry the stamp they were read under and are used only while
 * it still holds: a write by this process drops every cached result at once, a commit by another
 * process within 1 ms (SQLite's stamp, registered by `openDatabase`: see sqliteReadStamp), a
 * commit by another instance on PostgreSQL when its notification arrives (pg-stamp.ts).
 *
 * A database without a stamp (a transaction, PostgreSQL with the cache turned off) is simply
 * read every time.
 */
export type ReadStamp = () => string;

// biome-ignore lint/suspicious/noExplicitAny: one registry for every database type
const stamps = new WeakMap<Kysely<any>, ReadStamp>();
// biome-ignore lint/suspicious/noExplicitAny: one registry for every database type
const caches = new WeakMap<Kysely<any>, ResultCache>();
const MAX_ENTRIES = 20_000;

interface ResultCache {
  stamp: string;
  results: Map<string, unknown>;
}

export function registerReadStamp<Db>(db: Kysely<Db>, stamp: ReadStamp): void {
  stamps.set(db, stamp);
}

/**
 * Runs `compute` unless the same `key` was computed under the current stamp, in which case the
 * earlier result is returned. `compute` must depend only on the database and the key (not on
 * the clock or the caller). Results are deeply frozen: callers must not change them.
 */
export async function cachedRead<T, Db>(db: Kysely<Db>, key: string, compute: () => Promise<T>): Promise<T> {
  const stampOf = stamps.get(db);
  if (!stampOf) return compute();
  const stamp = stampOf();
  let cache = caches.get(db);
  if (!cache || cache.stamp !== stamp) {
    cache = { stamp, results: new Map() };
    caches.set(db, cache);
  }
  if (cache.results.has(key)) return cache.results.get(key) as T;
  const result = await compute();
  // A write that ran while the read was pending makes the result unfit to keep (SQLite runs
  // synchronously, so this guards against a future asynchronous driver).
  if (stampOf() !== stamp) return result;
  deepFreeze(result);
  if (cache.results.size >= MAX_ENTRIES) cache.results.clear();
  cache.results.set(key, result);
  return result;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const member of Object.values(value)) deepFreeze(member);
}

/** A cache key: a name and the values it depends on (strings and numbers on the hot paths; JSON otherwise). */
export function cacheKey(prefix: string, parameters: readonly unknown[]): string {
  let key = prefix;
  for (const parameter of parameters) {
    if (typeof parameter === 'string') key += `\0s${parameter}`;
    else if (typeof parameter === 'number') key += `\0n${parameter}`;
    else key += `\0j${JSON.stringify(parameter) ?? 'undefined'}`;
  }
  return key;
}

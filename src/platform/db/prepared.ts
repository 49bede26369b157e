import type { Compilable, CompiledQuery, Kysely } from 'kysely';

/**
 * Hot-path queries compiled once. Kysely compiles a query builder to SQL on every execution
 * (~20 µs); per-request lookups (auth, services list) build the query once with placeholder values
 * and execute the compiled SQL with the real parameters, in the order they appear in the builder.
 */
export function prepare<Row, Db>(
  db: Kysely<Db>,
  query: Compilable<Row>,
): (parameters: readonly unknown[]) => Promise<Row[]> {
  const compiled: CompiledQuery<Row> = query.compile();
  return async (parameters) => {
    if (parameters.length !== compiled.parameters.length) {
      throw new Error(`prepared query expects ${compiled.parameters.length} parameters, got ${parameters.length}`);
    }
    const result = await db.executeQuery<Row>({ ...compiled, parameters });
    return result.rows;
  };
}

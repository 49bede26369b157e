import type { Kysely, Selectable } from 'kysely';
import type { Database, RouteAliasesTable, RouteOverridesTable } from '../platform/db/schema.js';

/** The route table's SQL: the admin's overrides of declared routes, and aliases. */
export type RouteOverrideRow = Selectable<RouteOverridesTable>;
export type RouteAliasRow = Selectable<RouteAliasesTable>;

export function listRouteOverrides(db: Kysely<Database>): Promise<RouteOverrideRow[]> {
  return db.selectFrom('route_overrides').selectAll().execute();
}

export function listRouteAliases(db: Kysely<Database>): Promise<RouteAliasRow[]> {
  return db.selectFrom('route_aliases').selectAll().orderBy('path').execute();
}

export function findRouteOverride(db: Kysely<Database>, operationId: string): Promise<RouteOverrideRow | undefined> {
  return db.selectFrom('route_overrides').selectAll().where('operation_id', '=', operationId).executeTakeFirst();
}

/** Writes a route's whole override row (each field null: the declaration's). */
export async function saveRouteOverride(db: Kysely<Database>, row: RouteOverrideRow): Promise<void> {
  await db
    .insertInto('route_overrides')
    .values(row)
    .onConflict((oc) => oc.column('operation_id').doUpdateSet(row))
    .execute();
}

export async function aliasExists(db: Kysely<Database>, path: string): Promise<boolean> {
  const row = await db.selectFrom('route_aliases').select('path').where('path', '=', path).executeTakeFirst();
  return row !== undefined;
}

export async function insertRouteAlias(db: Kysely<Database>, row: RouteAliasRow): Promise<void> {
  await db.insertInto('route_aliases').values(row).execute();
}

/** Changes an alias's fields; false when there is no alias at that path. */
export async function updateRouteAlias(
  db: Kysely<Database>,
  path: string,
  changes: Partial<Pick<RouteAliasRow, 'enabled' | 'name' | 'category' | 'description'>>,
  nowMs: number,
): Promise<boolean> {
  const result = await db
    .updateTable('route_aliases')
    .set({ ...changes, updated_at_ms: nowMs })
    .where('path', '=', path)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Removes an alias; false when there is none at that path. */
export async function deleteRouteAlias(db: Kysely<Database>, path: string): Promise<boolean> {
  const result = await db.deleteFrom('route_aliases').where('path', '=', path).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

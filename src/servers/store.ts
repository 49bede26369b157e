import type { Kysely, Selectable } from 'kysely';
import type { Database, ServersTable } from '../platform/db/schema.js';

/** The servers feature's SQL. */
export type ServerRow = Selectable<ServersTable>;

export function findServerByName(db: Kysely<Database>, name: string): Promise<ServerRow | undefined> {
  return db.selectFrom('servers').selectAll().where('name', '=', name).executeTakeFirst();
}

export function listServerRows(db: Kysely<Database>): Promise<ServerRow[]> {
  return db.selectFrom('servers').selectAll().orderBy('server_group').orderBy('name').execute();
}

export async function insertServer(db: Kysely<Database>, row: ServerRow): Promise<void> {
  await db.insertInto('servers').values(row).execute();
}

export async function updateServer(
  db: Kysely<Database>,
  id: string,
  changes: Partial<Omit<ServerRow, 'id' | 'created_at_ms'>>,
): Promise<void> {
  await db.updateTable('servers').set(changes).where('id', '=', id).execute();
}

export async function deleteServer(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('servers').where('id', '=', id).execute();
}

export function findServerById(db: Kysely<Database>, id: string): Promise<ServerRow | undefined> {
  return db.selectFrom('servers').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Servers of a group that may take a new account: enabled and not paused. */
export function listPlaceableServers(db: Kysely<Database>, group: string) {
  return db
    .selectFrom('servers')
    .select(['id', 'name', 'capacity'])
    .where('server_group', '=', group)
    .where('enabled', '=', 1)
    .where('paused_reason', 'is', null)
    .execute();
}

/** Stops a server's queue: the panel refused our credentials (fail2ban would follow). */
export async function pauseServer(db: Kysely<Database>, serverId: string, reason: string, nowMs: number) {
  await db
    .updateTable('servers')
    .set({ paused_reason: reason, paused_at_ms: nowMs })
    .where('id', '=', serverId)
    .execute();
}

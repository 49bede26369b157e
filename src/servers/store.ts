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

/** Services that still live on a server (anything not terminated or cancelled). */
export async function countLiveServices(db: Kysely<Database>, serverId: string): Promise<number> {
  const row = await db
    .selectFrom('services')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('server_id', '=', serverId)
    .where('status', 'not in', ['terminated', 'cancelled'])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

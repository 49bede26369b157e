import type { Kysely } from 'kysely';
import { JobFailure } from '../jobs/types.js';
import { randomSecret } from '../platform/crypto/tokens.js';
import type { Database } from '../platform/db/schema.js';

/**
 * Where a new account goes, and what it is called. Placement picks the enabled, un-paused server
 * of the product's group with the most free capacity (an idle one first); a full group is a clear
 * failure for the admin, not a stuck order.
 */
export async function placeService(db: Kysely<Database>, group: string): Promise<string> {
  const servers = await db
    .selectFrom('servers')
    .select(['id', 'name', 'capacity'])
    .where('server_group', '=', group)
    .where('enabled', '=', 1)
    .where('paused_reason', 'is', null)
    .execute();
  if (servers.length === 0) {
    throw new JobFailure(
      'permanent',
      'NO_SERVER',
      `No enabled server in group "${group}": add one with \`portico server add --group ${group}\`.`,
    );
  }
  const counts = await db
    .selectFrom('services')
    .select(['server_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where(
      'server_id',
      'in',
      servers.map((s) => s.id),
    )
    .where('status', 'in', ['pending', 'active', 'suspended'])
    .groupBy('server_id')
    .execute();
  const used = new Map(counts.map((c) => [c.server_id, Number(c.n)]));
  // Among servers with room, one that no other job is working on right now comes first: the
  // job can start at once instead of waiting for that server's lock.
  const busy = new Set(
    (
      await db.selectFrom('server_locks').select('server_id').where('lease_expires_at_ms', '>', Date.now()).execute()
    ).map((l) => l.server_id),
  );
  const ranked = servers
    .map((s) => ({ ...s, free: s.capacity - (used.get(s.id) ?? 0), busy: busy.has(s.id) ? 1 : 0 }))
    .filter((s) => s.free > 0)
    .sort((a, b) => a.busy - b.busy || b.free - a.free || a.name.localeCompare(b.name));
  const best = ranked[0];
  if (!best) {
    throw new JobFailure(
      'permanent',
      'GROUP_FULL',
      `Every server in group "${group}" is at capacity: raise a capacity or add a server.`,
    );
  }
  return best.id;
}

const LOWER_DIGITS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `u` + 9 letters/digits: matches ^[a-z][a-z0-9]{1,29}$, never numeric, never the root user. */
export async function generateUsername(db: Kysely<Database>, serverId: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const bytes = randomSecret(16);
    let name = 'u';
    for (const ch of Buffer.from(bytes)) {
      name += LOWER_DIGITS[ch % LOWER_DIGITS.length];
      if (name.length === 10) break;
    }
    const taken = await db
      .selectFrom('services')
      .select('id')
      .where('server_id', '=', serverId)
      .where('panel_username', '=', name)
      .executeTakeFirst();
    if (!taken) return name;
  }
  throw new JobFailure('retry', 'USERNAME', 'Could not find a free username; will try again.');
}

/** A strong panel password: letters, digits, - and _ only (no whitespace, quotes, backslash). */
export function generatePanelPassword(): string {
  return `P${randomSecret(18)}`.replace(/^(.)/, 'P');
}

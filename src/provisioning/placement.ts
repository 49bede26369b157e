import type { Kysely } from 'kysely';
import { lockedServerIds } from '../jobs/store.js';
import { JobFailure } from '../jobs/types.js';
import { randomSecret } from '../platform/crypto/tokens.js';
import type { Database } from '../platform/db/schema.js';
import { listPlaceableServers } from '../servers/store.js';
import { countPlacedServices, isPanelUsernameTaken } from '../services/store.js';

/**
 * Where a new account goes, and what it is called. Placement picks the enabled, un-paused server
 * of the product's group with the most free capacity (an idle one first); a full group is a clear
 * failure for the admin, not a stuck order.
 */
export async function placeService(db: Kysely<Database>, group: string): Promise<string> {
  const servers = await listPlaceableServers(db, group);
  if (servers.length === 0) {
    throw new JobFailure(
      'permanent',
      'NO_SERVER',
      `No enabled server in group "${group}": add one with \`portico server add --group ${group}\`.`,
    );
  }
  const used = await countPlacedServices(
    db,
    servers.map((s) => s.id),
  );
  // Among servers with room, one that no other job is working on right now comes first: the
  // job can start at once instead of waiting for that server's lock.
  const busy = await lockedServerIds(db, Date.now());
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
    if (!(await isPanelUsernameTaken(db, { serverId, username: name }))) return name;
  }
  throw new JobFailure('retry', 'USERNAME', 'Could not find a free username; will try again.');
}

/** A strong panel password: letters, digits, - and _ only (no whitespace, quotes, backslash). */
export function generatePanelPassword(): string {
  return `P${randomSecret(18)}`.replace(/^(.)/, 'P');
}

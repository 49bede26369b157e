import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';

/** A worker's heartbeat rows are removed a day after its last beat (a worker that was killed). */
const FORGET_AFTER_MS = 24 * 3600_000;

/** Records that the worker `owner` is alive now (inserted on its first beat). */
export async function recordHeartbeat(
  db: Kysely<Database>,
  owner: string,
  startedAtMs: number,
  nowMs: number,
): Promise<void> {
  await db
    .insertInto('worker_heartbeats')
    .values({ owner, started_at_ms: startedAtMs, seen_at_ms: nowMs })
    .onConflict((oc) => oc.column('owner').doUpdateSet({ seen_at_ms: nowMs }))
    .execute();
  await db
    .deleteFrom('worker_heartbeats')
    .where('seen_at_ms', '<', nowMs - FORGET_AFTER_MS)
    .execute();
}

/** A worker that stops cleanly says so: it is no longer counted, fresh or stale. */
export async function removeHeartbeat(db: Kysely<Database>, owner: string): Promise<void> {
  await db.deleteFrom('worker_heartbeats').where('owner', '=', owner).execute();
}

export interface HeartbeatSummary {
  /** The newest beat of any worker, or null when no worker has beaten (or all stopped cleanly). */
  latest: { owner: string; seen_at_ms: number } | null;
  /** Workers whose last beat is at or after `freshSinceMs`. */
  fresh: number;
}

export async function summariseHeartbeats(db: Kysely<Database>, freshSinceMs: number): Promise<HeartbeatSummary> {
  const latest = await db
    .selectFrom('worker_heartbeats')
    .select(['owner', 'seen_at_ms'])
    .orderBy('seen_at_ms', 'desc')
    .limit(1)
    .executeTakeFirst();
  const { n } = await db
    .selectFrom('worker_heartbeats')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('seen_at_ms', '>=', freshSinceMs)
    .executeTakeFirstOrThrow();
  return { latest: latest ? { owner: latest.owner, seen_at_ms: Number(latest.seen_at_ms) } : null, fresh: Number(n) };
}

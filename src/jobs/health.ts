import type { AppContext } from '../app-context.js';
import type { ReadinessCheck } from '../platform/http/health.js';
import { summariseHeartbeats } from './heartbeat-store.js';

/**
 * A worker is stale once it has not beaten for this long: the default job lease, after which its
 * jobs are claimed by another worker anyway (src/jobs/worker.ts beats every 5 s).
 */
export const HEARTBEAT_STALE_MS = 30_000;

/**
 * The provisioning workers, as `/readyz` reports them: `ready` (a worker beat within 30 s),
 * `stale` (the newest beat is older) or `none` (no worker is running, or none ever ran).
 *
 * Reported, never required: readiness decides whether an instance gets HTTP traffic, and the
 * worker serves none. Taking every `portico serve` out of a load balancer because the workers
 * (other processes under PORTICO_WORKER=off, or this one's loop) are down would turn late
 * provisioning into a whole outage, and would not restart a worker. Paid jobs wait in the queue
 * and run once a worker is back; alert on `worker` here or on `portico_worker_heartbeat_age_seconds`.
 */
export function workerHeartbeatCheck(app: Pick<AppContext, 'db' | 'clock'>): ReadinessCheck {
  return {
    name: 'worker',
    required: false,
    async check() {
      const now = app.clock.nowMs();
      const { latest, fresh } = await summariseHeartbeats(app.db.kysely, now - HEARTBEAT_STALE_MS);
      if (!latest) return { state: 'none', detail: { workers: 0, last_heartbeat_at: null } };
      return {
        state: fresh > 0 ? 'ready' : 'stale',
        detail: {
          workers: fresh,
          last_heartbeat_at: new Date(latest.seen_at_ms).toISOString(),
          last_heartbeat_age_seconds: Math.max(0, Math.round((now - latest.seen_at_ms) / 1000)),
          last_worker: latest.owner,
        },
      };
    },
  };
}

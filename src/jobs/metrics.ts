import type { Kysely } from 'kysely';
import type { Clock } from '../platform/clock.js';
import type { Database } from '../platform/db/schema.js';
import type { Metrics } from '../platform/metrics.js';
import { HEARTBEAT_STALE_MS } from './health.js';
import { summariseHeartbeats } from './heartbeat-store.js';
import { countByState } from './store.js';

/**
 * The queue's gauges: jobs by state, counted in the database on every scrape, so every instance
 * (and a scrape of any of them) reports the same queue; and the age of the newest worker
 * heartbeat (none while no worker runs), to alert on (`/readyz` only reports it).
 */
export function registerJobMetrics(metrics: Metrics, db: Kysely<Database>, clock: Clock): void {
  metrics.addGauge({
    name: 'portico_worker_heartbeat_age_seconds',
    help: 'Seconds since the newest provisioning worker heartbeat (absent while no worker runs)',
    labelNames: [],
    async collect() {
      const now = clock.nowMs();
      const { latest } = await summariseHeartbeats(db, now - HEARTBEAT_STALE_MS);
      return latest ? [{ labels: {}, value: Math.max(0, (now - latest.seen_at_ms) / 1000) }] : [];
    },
  });
  metrics.addGauge({
    name: 'portico_jobs',
    help: 'Provisioning jobs by state',
    labelNames: ['state'],
    async collect() {
      return (await countByState(db)).map((row) => ({ labels: { state: row.state }, value: Number(row.n) }));
    },
  });
}

import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import type { Metrics } from '../platform/metrics.js';
import { countByState } from './store.js';

/**
 * The queue's gauge: jobs by state, counted in the database on every scrape, so every instance
 * (and a scrape of any of them) reports the same queue.
 */
export function registerJobMetrics(metrics: Metrics, db: Kysely<Database>): void {
  metrics.addGauge({
    name: 'portico_jobs',
    help: 'Provisioning jobs by state',
    labelNames: ['state'],
    async collect() {
      return (await countByState(db)).map((row) => ({ labels: { state: row.state }, value: Number(row.n) }));
    },
  });
}

import type { Migration } from 'kysely';
import type { SecretBox } from '../../crypto/secretbox.js';
import * as m0001 from './0001_core.js';
import * as m0002 from './0002_servers.js';
import * as m0003 from './0003_jobs.js';
import * as m0004 from './0004_orders.js';
import * as m0005 from './0005_credentials_reveal.js';
import * as m0006 from './0006_request_log_details.js';
import * as m0007 from './0007_admin_sessions.js';
import * as m0008 from './0008_request_log_bodies.js';
import * as m0009 from './0009_request_log_segments.js';
import * as m0010 from './0010_route_alias_docs.js';
import * as m0011 from './0011_job_rollback.js';
import * as m0012 from './0012_secrets_at_rest.js';
import * as m0013 from './0013_billing.js';
import * as m0014 from './0014_outbox_mail.js';
import * as m0015 from './0015_payments.js';
import * as m0016 from './0016_staff_roles.js';
import * as m0018 from './0018_ops.js';
import * as m0019 from './0019_webhooks.js';
import * as m0020 from './0020_job_claim_index.js';

/**
 * Every migration, in order. A migration is frozen once it has shipped: change the schema by adding
 * the next file here, never by editing an old one.
 */
export const migrations: Record<string, Migration> = {
  '0001_core': m0001,
  '0002_servers': m0002,
  '0003_jobs': m0003,
  '0004_orders': m0004,
  '0005_credentials_reveal': m0005,
  '0006_request_log_details': m0006,
  '0007_admin_sessions': m0007,
  '0008_request_log_bodies': m0008,
  '0009_request_log_segments': m0009,
  '0010_route_alias_docs': m0010,
  '0011_job_rollback': m0011,
  '0012_secrets_at_rest': m0012,
  '0013_billing': m0013,
  '0014_outbox_mail': m0014,
  '0015_payments': m0015,
  '0016_staff_roles': m0016,
  '0018_ops': m0018,
  '0019_webhooks': m0019,
  '0020_job_claim_index': m0020,
};

/** What a migration that rewrites data may need besides the database. */
export interface MigrationDeps {
  /** The master key, for migrations that seal stored secrets (loaded only when there is one to seal). */
  secrets?: () => SecretBox;
}

/**
 * The list with the migrations that seal stored secrets given the master key. Without it (the
 * plain list above) they still run, but refuse a database that holds something to seal.
 */
export function migrationsFor(deps: MigrationDeps): Record<string, Migration> {
  return { ...migrations, '0012_secrets_at_rest': m0012.migration(deps) };
}

import type { Insertable, Kysely, Selectable } from 'kysely';
import type { BillingActionsTable, BillingRunsTable, Database, ServicePeriodsTable } from '../platform/db/schema.js';

/**
 * The billing run's SQL: its runs, its lock (a lease), the actions it took (once per subject,
 * action and cause) and the renewal periods it invoiced (once per service and period start).
 */
export type BillingRunRow = Selectable<BillingRunsTable>;

/**
 * Takes the run lock for `runId` when it is free, expired or already ours, until `untilMs`; false
 * when another run holds a live lease. One conditional update: two runs cannot both take it.
 */
export async function takeBillingLock(
  db: Kysely<Database>,
  runId: string,
  nowMs: number,
  untilMs: number,
): Promise<boolean> {
  const taken = await db
    .updateTable('billing_lock')
    .set({ run_id: runId, lease_until_ms: untilMs })
    .where('id', '=', 1)
    .where((eb) => eb.or([eb('lease_until_ms', '<', nowMs), eb('run_id', '=', runId), eb('run_id', 'is', null)]))
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) === 1;
}

/** Renews our lease; false when it is no longer ours (it expired and another run took it). */
export async function renewBillingLock(db: Kysely<Database>, runId: string, untilMs: number): Promise<boolean> {
  const renewed = await db
    .updateTable('billing_lock')
    .set({ lease_until_ms: untilMs })
    .where('id', '=', 1)
    .where('run_id', '=', runId)
    .executeTakeFirst();
  return Number(renewed.numUpdatedRows) === 1;
}

export async function releaseBillingLock(db: Kysely<Database>, runId: string): Promise<void> {
  await db
    .updateTable('billing_lock')
    .set({ run_id: null, lease_until_ms: 0 })
    .where('id', '=', 1)
    .where('run_id', '=', runId)
    .execute();
}

export function findBillingLock(db: Kysely<Database>) {
  return db.selectFrom('billing_lock').select(['run_id', 'lease_until_ms']).where('id', '=', 1).executeTakeFirst();
}

export async function insertBillingRun(db: Kysely<Database>, row: Insertable<BillingRunsTable>): Promise<void> {
  await db.insertInto('billing_runs').values(row).execute();
}

export async function finishBillingRun(
  db: Kysely<Database>,
  id: string,
  result: Pick<BillingRunRow, 'status' | 'summary' | 'error' | 'finished_at_ms'>,
): Promise<void> {
  await db.updateTable('billing_runs').set(result).where('id', '=', id).execute();
}

/** Runs still marked running that are not `exceptId`: with the lock ours, they crashed. */
export async function abandonCrashedRuns(db: Kysely<Database>, exceptId: string, nowMs: number): Promise<string[]> {
  const rows = await db
    .updateTable('billing_runs')
    .set({ status: 'abandoned', finished_at_ms: nowMs, error: 'did not finish; the next run completed its work' })
    .where('status', '=', 'running')
    .where('id', '!=', exceptId)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export function listBillingRuns(db: Kysely<Database>, options: { limit: number; beforeId?: string | undefined }) {
  let query = db.selectFrom('billing_runs').selectAll();
  if (options.beforeId) query = query.where('id', '<', options.beforeId);
  return query.orderBy('id', 'desc').limit(options.limit).execute();
}

export function findBillingRun(db: Kysely<Database>, id: string) {
  return db.selectFrom('billing_runs').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Records actions; returns the keys actually inserted (`subject|action|cause`). A key already
 * there means the action was taken before (by this run or one that crashed): the caller skips it.
 */
export async function claimBillingActions(
  db: Kysely<Database>,
  rows: Insertable<BillingActionsTable>[],
): Promise<Set<string>> {
  const claimed = new Set<string>();
  for (let i = 0; i < rows.length; i += 500) {
    const inserted = await db
      .insertInto('billing_actions')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['subject_id', 'action', 'cause']).doNothing())
      .returning(['subject_id', 'action', 'cause'])
      .execute();
    for (const r of inserted) claimed.add(`${r.subject_id}|${r.action}|${r.cause}`);
  }
  return claimed;
}

/** Which of these (subject, action) pairs already have an action recorded, whatever the cause. */
export async function findBillingActions(
  db: Kysely<Database>,
  subjectIds: string[],
  action: string,
): Promise<Set<string>> {
  if (subjectIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('billing_actions')
    .select('subject_id')
    .where('subject_id', 'in', subjectIds)
    .where('action', '=', action)
    .execute();
  return new Set(rows.map((r) => r.subject_id));
}

/**
 * Claims renewal periods: returns the keys inserted (`service|start`). The primary key refuses a
 * period already invoiced, whoever invoiced it.
 */
export async function claimServicePeriods(
  db: Kysely<Database>,
  rows: Selectable<ServicePeriodsTable>[],
): Promise<Set<string>> {
  const claimed = new Set<string>();
  for (let i = 0; i < rows.length; i += 500) {
    const inserted = await db
      .insertInto('service_periods')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['service_id', 'period_start_ms']).doNothing())
      .returning(['service_id', 'period_start_ms'])
      .execute();
    for (const r of inserted) claimed.add(`${r.service_id}|${Number(r.period_start_ms)}`);
  }
  return claimed;
}

/** The end of the last invoiced period of each of these services (where the next one starts). */
export async function lastInvoicedPeriodEnds(db: Kysely<Database>, serviceIds: string[]): Promise<Map<string, number>> {
  if (serviceIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('service_periods')
    .select(['service_id', (eb) => eb.fn.max('period_end_ms').as('end')])
    .where('service_id', 'in', serviceIds)
    .groupBy('service_id')
    .execute();
  return new Map(rows.map((r) => [r.service_id, Number(r.end)]));
}

/** The job an action queued, once it is queued. */
export async function setBillingActionOperation(
  db: Kysely<Database>,
  key: { subject_id: string; action: string; cause: string },
  operationId: string,
): Promise<void> {
  await db
    .updateTable('billing_actions')
    .set({ operation_id: operationId })
    .where('subject_id', '=', key.subject_id)
    .where('action', '=', key.action)
    .where('cause', '=', key.cause)
    .execute();
}

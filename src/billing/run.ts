import type { Kysely } from 'kysely';
import type { AppContext } from '../app-context.js';
import { findClientsBilling } from '../clients/store.js';
import { issueInvoices, type NewInvoice } from '../invoices/issue.js';
import { payInvoiceInTransaction } from '../orders/orders.js';
import type { BillingCycle, Database } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { listRenewableServices } from '../services/store.js';
import type { SettingsSnapshot } from '../settings/definitions.js';
import { addDays, daysBetween, localDate, periodIndexAt, periodStart, startOfDay } from './calendar.js';
import {
  abandonCrashedRuns,
  claimServicePeriods,
  findBillingLock,
  finishBillingRun,
  insertBillingRun,
  lastInvoicedPeriodEnds,
  releaseBillingLock,
  renewBillingLock,
  takeBillingLock,
} from './store.js';

/**
 * The billing run: as of a day (`at`, default now) it issues the renewal invoices that fell due,
 * pays them from credit, suspends and terminates overdue services, terminates the services
 * cancelled at the end of their period and cancels unpaid orders. Everything it does is keyed in
 * the database (a period per service, an action per subject and cause), so a run repeated, or run
 * after one that crashed, does each thing once. One run at a time, across instances: a lease.
 */
export type BillingDeps = Pick<AppContext, 'db' | 'clock' | 'settings' | 'logger'>;

export type BillingActionName =
  | 'invoice'
  | 'credit'
  | 'cycle_change'
  | 'suspend'
  | 'terminate'
  | 'cancel_invoice'
  | 'cancel_order';

export interface BillingActionReport {
  action: BillingActionName;
  subject_id: string;
  cause: string;
  invoice_id?: string;
  operation_id?: string;
}

export interface BillingRunReport {
  runId: string;
  asOf: string;
  dryRun: boolean;
  counts: Record<BillingActionName, number>;
  /** The first MAX_REPORTED_ACTIONS actions; counts has them all. */
  actions: BillingActionReport[];
  /** True when actions was cut short. */
  actionsTruncated: boolean;
  /** Runs found unfinished (crashed) and marked abandoned by this one. */
  abandonedRuns: string[];
  durationMs: number;
}

export const MAX_REPORTED_ACTIONS = 1000;
const BATCH = 400;
const LEASE_MS = 120_000;
/** A service down for years is caught up a bounded number of periods per run. */
const MAX_PERIODS_PER_SERVICE = 60;

/** Another run holds the lock: which, and until when. */
export class BillingRunInProgress extends AppError {
  constructor(
    readonly otherRunId: string | null,
    readonly leaseUntilMs: number,
  ) {
    super(
      'conflict',
      `Another billing run is in progress (${otherRunId ?? 'unknown'}, lease until ${new Date(leaseUntilMs).toISOString()}); it does this run's work — try again when it has finished.`,
    );
  }
}

/** Thrown inside a dry run's transaction to roll back what the batch wrote. */
class DryRunRollback extends Error {}

class Run {
  readonly counts = Object.fromEntries(
    (['invoice', 'credit', 'cycle_change', 'suspend', 'terminate', 'cancel_invoice', 'cancel_order'] as const).map(
      (a) => [a, 0],
    ),
  ) as Record<BillingActionName, number>;
  readonly actions: BillingActionReport[] = [];
  truncated = false;
  readonly zone: string;

  constructor(
    readonly deps: BillingDeps,
    readonly id: string,
    readonly atMs: number,
    readonly dryRun: boolean,
    readonly settings: SettingsSnapshot,
  ) {
    this.zone = settings['billing.time_zone'];
  }

  get now(): number {
    return this.deps.clock.nowMs();
  }

  record(a: BillingActionReport): void {
    this.counts[a.action] += 1;
    if (this.actions.length < MAX_REPORTED_ACTIONS) this.actions.push(a);
    else this.truncated = true;
  }

  /** One batch's transaction; in a dry run it is rolled back after computing what it would do. */
  async batch<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    if (!this.dryRun) {
      const result = await this.deps.db.kysely.transaction().execute(work);
      await this.renewLease();
      return result;
    }
    let result: T | undefined;
    try {
      await this.deps.db.kysely.transaction().execute(async (trx) => {
        result = await work(trx);
        throw new DryRunRollback();
      });
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
    }
    return result as T;
  }

  async renewLease(): Promise<void> {
    if (!(await renewBillingLock(this.deps.db.kysely, this.id, this.now + LEASE_MS))) {
      throw new Error(`billing run ${this.id} lost its lock (the lease expired and another run took it)`);
    }
  }
}

export async function runBilling(
  deps: BillingDeps,
  options: { atMs?: number; dryRun?: boolean } = {},
): Promise<BillingRunReport> {
  const started = deps.clock.nowMs();
  const atMs = options.atMs ?? started;
  const dryRun = options.dryRun === true;
  const db = deps.db.kysely;
  const runId = newId('billingRun', started);
  const run = new Run(deps, runId, atMs, dryRun, deps.settings.snapshot);
  let abandoned: string[] = [];
  if (!dryRun) {
    if (!(await takeBillingLock(db, runId, started, started + LEASE_MS))) {
      const lock = await findBillingLock(db);
      throw new BillingRunInProgress(lock?.run_id ?? null, Number(lock?.lease_until_ms ?? 0));
    }
    await insertBillingRun(db, {
      id: runId,
      as_of_ms: atMs,
      started_at_ms: started,
      finished_at_ms: null,
      status: 'running',
      summary: null,
      error: null,
    });
    abandoned = await abandonCrashedRuns(db, runId, started);
    if (abandoned.length) deps.logger.warn({ runId, abandoned }, 'billing: finishing the work of crashed runs');
  }
  try {
    await renewals(run);
    if (!dryRun) {
      await finishBillingRun(db, runId, {
        status: 'done',
        finished_at_ms: deps.clock.nowMs(),
        summary: JSON.stringify(run.counts),
        error: null,
      });
    }
  } catch (error) {
    if (!dryRun) {
      await finishBillingRun(db, runId, {
        status: 'failed',
        finished_at_ms: deps.clock.nowMs(),
        summary: JSON.stringify(run.counts),
        error: error instanceof Error ? error.message : String(error),
      }).catch(() => undefined);
    }
    throw error;
  } finally {
    if (!dryRun) await releaseBillingLock(db, runId).catch(() => undefined);
  }
  return {
    runId,
    asOf: new Date(atMs).toISOString(),
    dryRun,
    counts: run.counts,
    actions: run.actions,
    actionsTruncated: run.truncated,
    abandonedRuns: abandoned,
    durationMs: deps.clock.nowMs() - started,
  };
}

/** The period of an anchored service that starts at `startMs`: its end. */
function periodEnd(anchorMs: number, cycle: BillingCycle, startMs: number, zone: string): number {
  const n = periodIndexAt(anchorMs, cycle, startMs, zone);
  if (n >= 0) return periodStart(anchorMs, cycle, n + 1, zone);
  // A start off the anchor's calendar (an old service's due date): one cycle from its day.
  return periodStart(startMs, cycle, 1, zone);
}

/**
 * Renewal invoices: every period that starts within `invoice_days_before_due` days of `at`,
 * after the last one invoiced, once (the service_periods primary key), then paid from credit.
 */
async function renewals(run: Run): Promise<void> {
  const { settings, zone } = run;
  const daysBefore = settings['billing.invoice_days_before_due'] ?? 0;
  // Prefilter: a period starting on the horizon's day or before.
  const dueByMs = addDays(startOfDay(run.atMs, zone), daysBefore + 1, zone) - 1;
  let afterId: string | null = null;
  for (;;) {
    const services = await listRenewableServices(run.deps.db.kysely, { afterId, dueByMs, limit: BATCH });
    if (services.length === 0) break;
    afterId = services[services.length - 1]!.id;
    await run.batch(async (trx) => {
      const lastEnds = await lastInvoicedPeriodEnds(
        trx,
        services.map((s) => s.id),
      );
      const planned: {
        service: (typeof services)[number];
        start: number;
        end: number;
        invoiceId: string;
      }[] = [];
      for (const service of services) {
        if (service.next_due_at_ms === null) continue;
        const anchor = service.billing_anchor_ms ?? service.next_due_at_ms;
        let start = lastEnds.get(service.id) ?? service.next_due_at_ms;
        for (let k = 0; k < MAX_PERIODS_PER_SERVICE; k++) {
          if (daysBetween(run.atMs, start, zone) > daysBefore) break;
          const end = periodEnd(anchor, service.billing_cycle, start, zone);
          planned.push({ service, start, end, invoiceId: newId('invoice', run.now) });
          start = end;
        }
      }
      if (planned.length === 0) return;
      const now = run.now;
      const claimed = await claimServicePeriods(
        trx,
        planned.map((p) => ({
          service_id: p.service.id,
          period_start_ms: p.start,
          period_end_ms: p.end,
          invoice_id: p.invoiceId,
          created_at_ms: now,
        })),
      );
      const toIssue = planned.filter((p) => claimed.has(`${p.service.id}|${p.start}`));
      const inputs: (NewInvoice & { id: string })[] = toIssue.map((p) => ({
        id: p.invoiceId,
        clientId: p.service.client_id,
        currency: p.service.currency,
        kind: 'renewal',
        dueAtMs: p.start,
        items: [
          {
            kind: 'renewal',
            serviceId: p.service.id,
            description: `${p.service.product_name} hosting — ${p.service.domain ?? p.service.id} (${p.service.billing_cycle}, ${localDate(p.start, zone)} to ${localDate(addDays(p.end, -1, zone), zone)})`,
            amountMinor: Number(p.service.amount_minor),
            periodStartMs: p.start,
            periodEndMs: p.end,
          },
        ],
      }));
      const issued = await issueInvoices(trx, settings, run.atMs, inputs);
      for (const { invoice, items } of issued) {
        run.record({
          action: 'invoice',
          subject_id: items[0]!.service_id!,
          cause: `period ${localDate(items[0]!.period_start_ms!, zone)}`,
          invoice_id: invoice.id,
        });
      }
      if (settings['billing.apply_credit'])
        await payFromCredit(
          run,
          trx,
          issued.map((i) => i.invoice),
        );
    });
  }
}

/** New renewal invoices the client's credit covers in full (same currency), paid from it. */
async function payFromCredit(
  run: Run,
  trx: Kysely<Database>,
  invoices: { id: string; client_id: string; currency: string; total_minor: number }[],
): Promise<void> {
  if (invoices.length === 0) return;
  const clients = new Map(
    (await findClientsBilling(trx, [...new Set(invoices.map((i) => i.client_id))])).map((c) => [
      c.id,
      { currency: c.currency, credit: Number(c.credit_minor) },
    ]),
  );
  // Oldest period first, so a client whose credit covers some of them pays the earliest.
  for (const invoice of invoices) {
    const client = clients.get(invoice.client_id);
    if (!client || client.currency !== invoice.currency || client.credit < invoice.total_minor) continue;
    const paid = await payInvoiceInTransaction(trx, run.settings, run.now, {
      invoiceId: invoice.id,
      method: 'credit',
      actor: { type: 'system', id: null },
      correlationId: newId('request', run.now),
    });
    client.credit -= invoice.total_minor;
    run.record({
      action: 'credit',
      subject_id: invoice.id,
      cause: 'credit covers it',
      invoice_id: invoice.id,
      ...(paid.operations[0] ? { operation_id: paid.operations[0] } : {}),
    });
  }
}

import type { Kysely } from 'kysely';
import type { AppContext } from '../app-context.js';
import { type AuditEntry, auditMany } from '../audit/audit.js';
import { listPrices } from '../catalog/store.js';
import { type NewEvent, recordEvents } from '../events/events.js';
import { issueInvoices } from '../invoices/issue.js';
import {
  cancelUnpaidInvoices,
  listOverdueRenewals,
  listUnpaidDueBetween,
  listUnpaidServiceInvoices,
} from '../invoices/store.js';
import { cancelPendingOrder, listUnpaidOrders } from '../orders/store.js';
import type { BillingCycle, Database } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { enqueueLifecycle } from '../provisioning/index.js';
import {
  applyServiceCycleChange,
  cancelPendingService,
  listEndedCancellations,
  listRenewableServices,
  setSuspensionReason,
} from '../services/store.js';
import type { SettingsSnapshot } from '../settings/definitions.js';
import { addDays, daysBetween, localDate, periodIndexAt, periodStart, startOfDay } from './calendar.js';
import { type IssuedRenewal, payRenewalsFromCredit } from './pay-from-credit.js';
import {
  abandonCrashedRuns,
  claimBillingActions,
  claimServicePeriods,
  findBillingActions,
  findBillingLock,
  finishBillingRun,
  insertBillingRun,
  lastInvoicedPeriodEnds,
  releaseBillingLock,
  renewBillingLock,
  setBillingActionOperation,
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

export const BILLING_ACTIONS = [
  'invoice',
  'credit',
  'cycle_change',
  'suspend',
  'terminate',
  'cancel_invoice',
  'cancel_order',
] as const;
export type BillingActionName = (typeof BILLING_ACTIONS)[number];

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
  /** Milliseconds spent in each phase of the run. */
  phases: Record<string, number>;
}

export const MAX_REPORTED_ACTIONS = 1000;
const BATCH = 400;
/** How long the lock outlives a run that stops renewing it (a crash): the next run waits this long. */
export const DEFAULT_LEASE_MS = 60_000;
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

/** An action taken, with its cause in words for the audit log. */
type Done = BillingActionReport & { words: string };

/** Thrown inside a dry run's transaction to roll back what the batch wrote. */
class DryRunRollback extends Error {}

class Run {
  readonly counts = Object.fromEntries(BILLING_ACTIONS.map((a) => [a, 0])) as Record<BillingActionName, number>;
  readonly actions: BillingActionReport[] = [];
  truncated = false;
  /** Time spent paying from credit (inside the renewals phase). */
  creditMs = 0;
  /**
   * Calendar results of this run, by their arguments: services share a few anchors and due
   * dates, and the date arithmetic in the zone is the costly part of planning a period.
   */
  private readonly memo = new Map<string, number | string>();
  readonly zone: string;

  constructor(
    readonly deps: BillingDeps,
    readonly id: string,
    readonly atMs: number,
    readonly dryRun: boolean,
    readonly settings: SettingsSnapshot,
    readonly leaseMs: number,
  ) {
    this.zone = settings['billing.time_zone'];
  }

  cached<T extends number | string>(key: string, compute: () => T): T {
    let value = this.memo.get(key) as T | undefined;
    if (value === undefined) {
      if (this.memo.size > 50_000) this.memo.clear();
      value = compute();
      this.memo.set(key, value);
    }
    return value;
  }

  /** A period's end, a local day, the last day before an end, local days from `at`: memoised. */
  periodEnd(anchor: number, cycle: BillingCycle, start: number): number {
    return this.cached(`e|${anchor}|${cycle}|${start}`, () => periodEnd(anchor, cycle, start, this.zone));
  }
  day(ms: number): string {
    return this.cached(`d|${ms}`, () => localDate(ms, this.zone));
  }
  lastDay(endMs: number): string {
    return this.cached(`l|${endMs}`, () => localDate(addDays(endMs, -1, this.zone), this.zone));
  }
  daysFromAt(ms: number): number {
    return this.cached(`a|${ms}`, () => daysBetween(this.atMs, ms, this.zone));
  }

  get now(): number {
    return this.deps.clock.nowMs();
  }

  record(a: BillingActionReport): void {
    this.counts[a.action] += 1;
    if (this.actions.length < MAX_REPORTED_ACTIONS) this.actions.push(a);
    else this.truncated = true;
  }

  /**
   * Claims actions before taking them: the ones returned were not taken before (by this run or
   * one that crashed); the others are skipped.
   */
  async claim(trx: Kysely<Database>, keys: { subject_id: string; action: BillingActionName; cause: string }[]) {
    const now = this.now;
    return claimBillingActions(
      trx,
      keys.map((k) => ({ ...k, run_id: this.id, operation_id: null, at_ms: now })),
    );
  }

  /**
   * Actions taken in this batch: reported, audited with their cause in words, and (for the ones
   * not claimed beforehand) recorded in billing_actions.
   */
  async recordDone(trx: Kysely<Database>, done: Done[], options: { claimed?: boolean } = {}): Promise<void> {
    if (done.length === 0) return;
    const now = this.now;
    if (!options.claimed) {
      await claimBillingActions(
        trx,
        done.map((d) => ({
          subject_id: d.subject_id,
          action: d.action,
          cause: d.cause,
          run_id: this.id,
          operation_id: d.operation_id ?? null,
          at_ms: now,
        })),
      );
    } else {
      for (const d of done) {
        if (d.operation_id) await setBillingActionOperation(trx, d, d.operation_id);
      }
    }
    const entries: AuditEntry[] = done.map((d) => ({
      actorType: 'system',
      actorId: null,
      action: `billing.${d.action}`,
      targetType: d.subject_id.startsWith('inv_') ? 'invoice' : d.subject_id.startsWith('ord_') ? 'order' : 'service',
      targetId: d.subject_id,
      requestId: this.id,
      details: {
        cause: d.words,
        runId: this.id,
        ...(d.invoice_id ? { invoiceId: d.invoice_id } : {}),
        ...(d.operation_id ? { operationId: d.operation_id } : {}),
      },
    }));
    await auditMany(trx, now, entries);
    for (const d of done) {
      const { words: _words, ...report } = d;
      this.record(report);
    }
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
    if (!(await renewBillingLock(this.deps.db.kysely, this.id, this.now + this.leaseMs))) {
      throw new Error(`billing run ${this.id} lost its lock (the lease expired and another run took it)`);
    }
  }
}

export async function runBilling(
  deps: BillingDeps,
  options: { atMs?: number; dryRun?: boolean; leaseMs?: number } = {},
): Promise<BillingRunReport> {
  const started = deps.clock.nowMs();
  const t0 = performance.now();
  const atMs = options.atMs ?? started;
  const dryRun = options.dryRun === true;
  const db = deps.db.kysely;
  const runId = newId('billingRun', started);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const run = new Run(deps, runId, atMs, dryRun, deps.settings.snapshot, leaseMs);
  const phases: Record<string, number> = {};
  const phase = async (name: string, work: (run: Run) => Promise<void>) => {
    const t0 = performance.now();
    await work(run);
    phases[name] = Math.round(performance.now() - t0);
  };
  let abandoned: string[] = [];
  if (!dryRun) {
    if (!(await takeBillingLock(db, runId, started, started + leaseMs))) {
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
    await phase('renewals', renewals);
    await phase('overdue', overdue);
    await phase('end_of_period', endOfPeriod);
    await phase('orders', unpaidOrders);
    await phase('reminders', reminders);
    phases.credit = Math.round(run.creditMs);
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
    durationMs: Math.round(performance.now() - t0),
    phases,
  };
}

/** The period of an anchored service that starts at `startMs`: its end. */
function periodEnd(anchorMs: number, cycle: BillingCycle, startMs: number, zone: string): number {
  const n = periodIndexAt(anchorMs, cycle, startMs, zone);
  if (n >= 0) return periodStart(anchorMs, cycle, n + 1, zone);
  // A start off the anchor's calendar (an old service's due date): one cycle from its day.
  return periodStart(startMs, cycle, 1, zone);
}

type RenewableService = Awaited<ReturnType<typeof listRenewableServices>>['services'][number];

interface PlannedPeriod {
  service: RenewableService;
  cycle: BillingCycle;
  amountMinor: number;
  start: number;
  end: number;
  invoiceId: string;
  /** Set on the first period of a pending cycle change. */
  cycleChange?: { from: BillingCycle; to: BillingCycle };
}

/**
 * Renewal invoices: every period that starts within `invoice_days_before_due` days of `at`,
 * after the last one invoiced, once (the service_periods primary key), then paid from credit.
 * A pending billing-cycle change starts with the next period: the new cycle, anchored at that
 * period's start, at the product's current price for it.
 */
async function renewals(run: Run): Promise<void> {
  const { settings, zone } = run;
  const daysBefore = settings['billing.invoice_days_before_due'] ?? 0;
  // Prefilter: a period starting on the horizon's day or before.
  const dueByMs = addDays(startOfDay(run.atMs, zone), daysBefore + 1, zone) - 1;
  let afterId: string | null = null;
  for (;;) {
    const last: string | null = await run.batch(async (trx) => {
      const { services, next: lastId } = await listRenewableServices(trx, { afterId, dueByMs, limit: BATCH });
      if (services.length === 0) return lastId;
      const ids = services.map((s) => s.id);
      const lastEnds = await lastInvoicedPeriodEnds(trx, ids);
      // A service being terminated for non-payment is not invoiced again.
      const terminating = await findBillingActions(trx, ids, 'terminate');
      const changing = services.filter((s) => s.next_billing_cycle && s.next_billing_cycle !== s.billing_cycle);
      const prices = changing.length ? await listPrices(trx, [...new Set(changing.map((s) => s.product_id))]) : [];
      const planned: PlannedPeriod[] = [];
      for (const service of services) {
        if (service.next_due_at_ms === null || terminating.has(service.id)) continue;
        let anchor = service.billing_anchor_ms ?? service.next_due_at_ms;
        let cycle = service.billing_cycle;
        let amountMinor = Number(service.amount_minor);
        let start = lastEnds.get(service.id) ?? service.next_due_at_ms;
        for (let k = 0; k < MAX_PERIODS_PER_SERVICE; k++) {
          if (run.daysFromAt(start) > daysBefore) break;
          let cycleChange: PlannedPeriod['cycleChange'];
          const next = k === 0 ? service.next_billing_cycle : null;
          if (next && next !== cycle) {
            const price = prices.find(
              (p) => p.product_id === service.product_id && p.billing_cycle === next && p.currency === service.currency,
            );
            if (price) {
              cycleChange = { from: cycle, to: next };
              cycle = next;
              anchor = start;
              amountMinor = Number(price.amount_minor);
            } else {
              run.deps.logger.warn(
                { serviceId: service.id, cycle: next, currency: service.currency },
                'billing: the product has no price for the new billing cycle in this currency; renewing on the current cycle',
              );
            }
          }
          const end = run.periodEnd(anchor, cycle, start);
          planned.push({
            service,
            cycle,
            amountMinor,
            start,
            end,
            invoiceId: newId('invoice', run.now),
            ...(cycleChange ? { cycleChange } : {}),
          });
          start = end;
        }
      }
      if (planned.length === 0) return lastId;
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
      if (toIssue.length === 0) return lastId;
      const issued = await issueInvoices(
        trx,
        settings,
        run.atMs,
        toIssue.map((p) => ({
          id: p.invoiceId,
          clientId: p.service.client_id,
          currency: p.service.currency,
          kind: 'renewal',
          dueAtMs: p.start,
          items: [
            {
              kind: 'renewal',
              serviceId: p.service.id,
              description: `${p.service.product_name} hosting — ${p.service.domain ?? p.service.id} (${p.cycle}, ${run.day(p.start)} to ${run.lastDay(p.end)})`,
              amountMinor: p.amountMinor,
              periodStartMs: p.start,
              periodEndMs: p.end,
            },
          ],
        })),
      );
      const done: Done[] = [];
      toIssue.forEach((p, i) => {
        const invoice = issued[i]!.invoice;
        const period = run.day(p.start);
        if (p.cycleChange) {
          done.push({
            action: 'cycle_change',
            subject_id: p.service.id,
            cause: `${p.cycleChange.to} from ${period}`,
            invoice_id: invoice.id,
            words: `billing cycle ${p.cycleChange.from} → ${p.cycleChange.to} from ${period}`,
          });
        }
        done.push({
          action: 'invoice',
          subject_id: p.service.id,
          cause: `period ${period}`,
          invoice_id: invoice.id,
          words: `renewal of ${period} to ${run.lastDay(p.end)}, ${invoice.number}`,
        });
      });
      for (const p of toIssue) {
        if (p.cycleChange) {
          await applyServiceCycleChange(
            trx,
            p.service.id,
            { cycle: p.cycleChange.to, anchorMs: p.start, amountMinor: p.amountMinor },
            now,
          );
        }
      }
      await run.recordDone(trx, done);
      if (settings['billing.apply_credit']) {
        await payFromCredit(
          run,
          trx,
          issued.map((i, k) => ({
            ...i.invoice,
            serviceId: toIssue[k]!.service.id,
            periodEndMs: toIssue[k]!.end,
            suspensionReason: toIssue[k]!.service.suspension_reason,
          })),
        );
      }
      return lastId;
    });
    if (last === null) break;
    afterId = last;
  }
}

/** New renewal invoices the client's credit covers in full (same currency), paid from it. */
async function payFromCredit(run: Run, trx: Kysely<Database>, invoices: IssuedRenewal[]): Promise<void> {
  if (invoices.length === 0) return;
  const t0 = performance.now();
  const paid = await payRenewalsFromCredit(trx, run.settings, run.now, invoices);
  await run.recordDone(
    trx,
    paid.map((p) => ({
      action: 'credit',
      subject_id: p.invoiceId,
      cause: 'apply_credit',
      invoice_id: p.invoiceId,
      words: `paid ${p.number} from credit`,
      ...(p.operationId ? { operation_id: p.operationId } : {}),
    })),
  );
  run.creditMs += performance.now() - t0;
}

/** `at`'s local day minus `days`: an invoice due before it is more than `days` days overdue. */
function overdueCutoff(run: Run, days: number | null): number | null {
  return days === null ? null : addDays(startOfDay(run.atMs, run.zone), -days, run.zone);
}

/**
 * Overdue renewal invoices: past `suspend_after_days` the service is suspended (reason
 * 'overdue'; paying lifts it), past `terminate_after_days` it is terminated and its unpaid
 * invoices cancelled. Days count from the due date, or from the issue date when the invoice was
 * issued after it (a run catching up after downtime does not punish the client for it).
 */
async function overdue(run: Run): Promise<void> {
  const suspendBefore = overdueCutoff(run, run.settings['billing.suspend_after_days']);
  const terminateBefore = overdueCutoff(run, run.settings['billing.terminate_after_days']);
  const cutoffs = [suspendBefore, terminateBefore].filter((c): c is number => c !== null);
  if (cutoffs.length === 0) return;
  const dueBeforeMs = Math.max(...cutoffs);
  let afterId: string | null = null;
  for (;;) {
    const last: string | null = await run.batch(async (trx) => {
      const rows = await listOverdueRenewals(trx, { dueBeforeMs, afterId, limit: BATCH });
      if (rows.length === 0) return null;
      // The oldest overdue invoice of each service decides.
      const byService = new Map<string, (typeof rows)[number]>();
      for (const r of rows) {
        const since = Math.max(Number(r.due_at_ms), Number(r.issued_at_ms));
        if (since >= dueBeforeMs) continue;
        const seen = byService.get(r.service_id);
        if (!seen || Math.max(Number(seen.due_at_ms), Number(seen.issued_at_ms)) > since)
          byService.set(r.service_id, r);
      }
      const since = (r: (typeof rows)[number]) => Math.max(Number(r.due_at_ms), Number(r.issued_at_ms));
      const terminating = await findBillingActions(trx, [...byService.keys()], 'terminate');
      const toTerminate = [...byService.values()].filter(
        (r) => terminateBefore !== null && since(r) < terminateBefore && !terminating.has(r.service_id),
      );
      const toSuspend = [...byService.values()].filter(
        (r) =>
          suspendBefore !== null &&
          since(r) < suspendBefore &&
          !terminating.has(r.service_id) &&
          !toTerminate.includes(r) &&
          r.service_status === 'active' &&
          r.suspension_reason === null,
      );
      const done: Done[] = [];
      const now = run.now;
      const daysOverdue = (r: (typeof rows)[number]) => daysBetween(since(r), run.atMs, run.zone);
      const claimedT = await run.claim(
        trx,
        toTerminate.map((r) => ({ subject_id: r.service_id, action: 'terminate' as const, cause: r.id })),
      );
      const terminated = toTerminate.filter((r) => claimedT.has(`${r.service_id}|terminate|${r.id}`));
      for (const r of terminated) {
        const operationId = await enqueueLifecycle(trx, {
          action: 'terminate',
          serviceId: r.service_id,
          clientId: r.client_id,
          serverId: r.server_id,
          correlationId: run.id,
          actor: { type: 'system', id: null },
          nowMs: now,
        });
        done.push({
          action: 'terminate',
          subject_id: r.service_id,
          cause: r.id,
          invoice_id: r.id,
          operation_id: operationId,
          words: `overdue ${daysOverdue(r)} days, ${r.number}`,
        });
      }
      await run.recordDone(trx, done.splice(0), { claimed: true });
      if (terminated.length) {
        const unpaid = await listUnpaidServiceInvoices(
          trx,
          terminated.map((r) => r.service_id),
        );
        const cancelled = new Set(
          await cancelUnpaidInvoices(
            trx,
            unpaid.map((u) => u.id),
            'terminated: overdue',
            now,
          ),
        );
        for (const u of unpaid) {
          if (!cancelled.has(u.id)) continue;
          cancelled.delete(u.id);
          done.push({
            action: 'cancel_invoice',
            subject_id: u.id,
            cause: `terminate ${u.service_id}`,
            invoice_id: u.id,
            words: `terminated: overdue (${u.number})`,
          });
        }
        await run.recordDone(trx, done.splice(0));
      }
      const claimedS = await run.claim(
        trx,
        toSuspend.map((r) => ({ subject_id: r.service_id, action: 'suspend' as const, cause: r.id })),
      );
      for (const r of toSuspend) {
        if (!claimedS.has(`${r.service_id}|suspend|${r.id}`)) continue;
        await setSuspensionReason(trx, r.service_id, 'overdue', now);
        const operationId = await enqueueLifecycle(trx, {
          action: 'suspend',
          serviceId: r.service_id,
          clientId: r.client_id,
          serverId: r.server_id,
          correlationId: run.id,
          actor: { type: 'system', id: null },
          nowMs: now,
        });
        done.push({
          action: 'suspend',
          subject_id: r.service_id,
          cause: r.id,
          invoice_id: r.id,
          operation_id: operationId,
          words: `overdue ${daysOverdue(r)} days, ${r.number}`,
        });
      }
      await run.recordDone(trx, done.splice(0), { claimed: true });
      return rows[rows.length - 1]!.id;
    });
    if (last === null) break;
    afterId = last;
  }
}

/** Services cancelled at the end of their period: terminated once `at` reaches their due date. */
async function endOfPeriod(run: Run): Promise<void> {
  let afterId: string | null = null;
  for (;;) {
    const last: string | null = await run.batch(async (trx) => {
      const rows = await listEndedCancellations(trx, { atMs: run.atMs, afterId, limit: BATCH });
      if (rows.length === 0) return null;
      const claimed = await run.claim(
        trx,
        rows.map((r) => ({ subject_id: r.id, action: 'terminate' as const, cause: 'end_of_period' })),
      );
      const done: Done[] = [];
      for (const r of rows) {
        if (!claimed.has(`${r.id}|terminate|end_of_period`)) continue;
        const operationId = await enqueueLifecycle(trx, {
          action: 'terminate',
          serviceId: r.id,
          clientId: r.client_id,
          serverId: r.server_id,
          correlationId: run.id,
          actor: { type: 'system', id: null },
          nowMs: run.now,
        });
        done.push({
          action: 'terminate',
          subject_id: r.id,
          cause: 'end_of_period',
          operation_id: operationId,
          words: `cancelled at the end of its period (${localDate(Number(r.next_due_at_ms), run.zone)})`,
        });
      }
      await run.recordDone(trx, done, { claimed: true });
      return rows[rows.length - 1]!.id;
    });
    if (last === null) break;
    afterId = last;
  }
}

/**
 * Orders never paid: `cancel_unpaid_orders_after_days` after their invoice was issued, the
 * invoice is cancelled, the order too, and its pending service (it has no account yet).
 */
async function unpaidOrders(run: Run): Promise<void> {
  const days = run.settings['billing.cancel_unpaid_orders_after_days'];
  if (days === null) return;
  const issuedByMs = addDays(run.atMs, -days, run.zone);
  let afterId: string | null = null;
  for (;;) {
    const last: string | null = await run.batch(async (trx) => {
      const rows = await listUnpaidOrders(trx, { issuedByMs, afterId, limit: BATCH });
      if (rows.length === 0) return null;
      const claimed = await run.claim(
        trx,
        rows.map((r) => ({ subject_id: r.id, action: 'cancel_order' as const, cause: r.invoice_id })),
      );
      const now = run.now;
      const done: Done[] = [];
      for (const r of rows) {
        if (!claimed.has(`${r.id}|cancel_order|${r.invoice_id}`)) continue;
        const unpaidFor = daysBetween(Number(r.issued_at_ms), run.atMs, run.zone);
        await cancelUnpaidInvoices(trx, [r.invoice_id], `order unpaid for ${unpaidFor} days`, now);
        await cancelPendingOrder(trx, r.id, now);
        if (r.service_id) await cancelPendingService(trx, r.service_id, now);
        done.push({
          action: 'cancel_order',
          subject_id: r.id,
          cause: r.invoice_id,
          invoice_id: r.invoice_id,
          words: `unpaid ${unpaidFor} days, ${r.number}`,
        });
      }
      await run.recordDone(trx, done, { claimed: true });
      return rows[rows.length - 1]!.id;
    });
    if (last === null) break;
    afterId = last;
  }
}

/**
 * Reminders of unpaid invoices: `reminder_days_before` their due date (`invoice.reminder`) and
 * `reminder_days_after` it (`invoice.overdue`). Each is an event keyed by invoice and threshold, so
 * a repeated run reminds once; a run that missed days sends only the nearest threshold (one
 * reminder, not every one it missed), and none for invoices more than a week past the last.
 */
async function reminders(run: Run): Promise<void> {
  const before = run.settings['billing.reminder_days_before'];
  const after = run.settings['billing.reminder_days_after'];
  if (before.length === 0 && after.length === 0) return;
  const today = startOfDay(run.atMs, run.zone);
  const fromMs = after.length ? addDays(today, -(Math.max(...after) + 7), run.zone) : today;
  const toMs = before.length ? addDays(today, Math.max(...before) + 1, run.zone) : today;
  let afterId: string | null = null;
  for (;;) {
    const last: string | null = await run.batch(async (trx) => {
      const rows = await listUnpaidDueBetween(trx, { fromMs, toMs, afterId, limit: BATCH });
      if (rows.length === 0) return null;
      const events: NewEvent[] = [];
      for (const r of rows) {
        const due = Number(r.due_at_ms);
        const base = {
          clientId: r.client_id,
          invoiceId: r.id,
        };
        const payload = { number: r.number, totalMinor: r.total_minor, currency: r.currency, dueAtMs: due };
        const until = run.daysFromAt(due);
        if (until >= 0) {
          // Issued after the threshold passed counts too: "due in 2 days" once, not never.
          const n = before.find((d) => d >= until);
          if (n !== undefined && Number(r.issued_at_ms) < due) {
            events.push({
              type: 'invoice.reminder',
              key: `${r.id}:${n}`,
              ...base,
              payload: { ...payload, daysBefore: until },
            });
          }
        } else {
          const late = daysBetween(Math.max(due, Number(r.issued_at_ms)), run.atMs, run.zone);
          const n = [...after].reverse().find((d) => d <= late);
          if (n !== undefined && late <= Math.max(...after) + 7) {
            events.push({
              type: 'invoice.overdue',
              key: `${r.id}:${n}`,
              ...base,
              payload: { ...payload, daysOverdue: late },
            });
          }
        }
      }
      await recordEvents(trx, run.now, events);
      return rows[rows.length - 1]!.id;
    });
    if (last === null) break;
    afterId = last;
  }
}

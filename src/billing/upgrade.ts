import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { AppContext } from '../app-context.js';
import { audit } from '../audit/audit.js';
import { findPrice, findProduct, listEnabledProducts, type ProductRow } from '../catalog/store.js';
import { changeCredit } from '../clients/store.js';
import { issueInvoice } from '../invoices/issue.js';
import { findUnpaidServiceInvoice } from '../invoices/store.js';
import type { BillingCycle, Database } from '../platform/db/schema.js';
import { iso } from '../platform/http/checks.js';
import { AppError } from '../platform/http/errors.js';
import { newId } from '../platform/ids.js';
import { formatAmount } from '../platform/money.js';
import { enqueueLifecycle } from '../provisioning/index.js';
import type { LifecyclePayload } from '../provisioning/lifecycle.js';
import { changeServiceProduct, findServiceBilling, lockServiceRow, setNextBillingCycle } from '../services/store.js';
import { CYCLE_MONTHS, daysBetween, periodIndexAt, periodStart, startOfDay } from './calendar.js';

/**
 * Moving a service to another product of its category, with proration by local days: the unused
 * part of the current period is credited, the new price is charged for the same days. An upgrade
 * (something to pay) is an invoice whose payment makes the change (upgrade-paid.ts); a downgrade
 * or an equal move credits the difference and queues the change at once. A billing-cycle change
 * is only recorded: the next renewal applies it.
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'settings'>;
type Service = NonNullable<Awaited<ReturnType<typeof findServiceBilling>>>;

export const PRORATION_METHOD =
  'By local days in the billing time zone: remaining days are counted from the start of today to the end of the period (today counts as remaining).';
export const PRORATION_ROUNDING =
  'Each part is rounded half up to the minor unit separately: unused = round(current amount × remaining ÷ total), charge = round(new price × remaining ÷ total). Tax of your country is added on the invoice.';

/** round(amount × num ÷ den), half up, in integers (amount ≥ 0, 0 ≤ num ≤ den, den > 0). */
export function prorate(amountMinor: number, num: number, den: number): number {
  return Math.floor((2 * amountMinor * num + den) / (2 * den));
}

/** The current period [start, end) of a service: end is its due date, start the period before. */
export function currentPeriod(
  service: Pick<Service, 'next_due_at_ms' | 'billing_anchor_ms' | 'billing_cycle'>,
  zone: string,
): { startMs: number; endMs: number } {
  const endMs = Number(service.next_due_at_ms);
  const cycle = service.billing_cycle;
  if (service.billing_anchor_ms !== null) {
    const anchor = Number(service.billing_anchor_ms);
    const n = periodIndexAt(anchor, cycle, endMs, zone);
    if (n > 0) return { startMs: periodStart(anchor, cycle, n - 1, zone), endMs };
  }
  // No anchor (or a due date off the anchor's calendar): the period is one cycle back from the due date.
  return {
    startMs: DateTime.fromMillis(endMs, { zone }).minus({ months: CYCLE_MONTHS[cycle] }).toMillis(),
    endMs,
  };
}

export interface Estimate {
  service_id: string;
  direction: 'upgrade' | 'downgrade';
  from: { product_id: string; name: string; amount_minor: number };
  to: { product_id: string; name: string; amount_minor: number };
  billing_cycle: BillingCycle;
  currency: string;
  period: { start: string; end: string };
  days: { total: number; used: number; remaining: number };
  used_minor: number;
  unused_credit_minor: number;
  charge_minor: number;
  total_minor: number;
  new_recurring_amount_minor: number;
  method: string;
  rounding: string;
  summary: string;
}

function refuse(code: 'invalid_request' | 'conflict' | 'not_found', message: string, field = 'body.product_id'): never {
  throw new AppError(code, message, { errors: [{ field, message }] });
}

function whatToDo(service: Pick<Service, 'status' | 'suspension_reason'>): string {
  if (service.status === 'suspended' && service.suspension_reason === 'overdue')
    return ' Pay its overdue invoice to have it unsuspended, then try again.';
  if (service.status === 'suspended') return ' Contact support to have it unsuspended, then try again.';
  if (service.status === 'pending') return ' Pay its order invoice and wait until it is set up, then try again.';
  return ' Order a new service instead.';
}

/** The service (a client's own when clientId is given), checked to be one that can change product. */
async function movableService(db: Kysely<Database>, serviceId: string, clientId?: string): Promise<Service> {
  const service = await findServiceBilling(db, serviceId);
  if (!service || (clientId !== undefined && service.client_id !== clientId))
    throw new AppError('not_found', 'The service was not found.');
  if (service.status !== 'active') {
    refuse(
      'conflict',
      `The service is ${service.status}: only an active service can change product.${whatToDo(service)}`,
      'path.id',
    );
  }
  if (service.next_due_at_ms === null)
    refuse(
      'conflict',
      'The service has no due date yet, so its current period is unknown: try again once it is billed.',
      'path.id',
    );
  return service;
}

async function targetProduct(db: Kysely<Database>, service: Service, productId: string) {
  const product = await findProduct(db, productId);
  if (!product) refuse('not_found', 'The product was not found: pick one from GET /services/{id}/upgrade-options.');
  if (product.id === service.product_id)
    refuse('invalid_request', `The service is already on ${product.name}: pick another product.`);
  if (product.enabled !== 1)
    refuse('invalid_request', `${product.name} is no longer sold (disabled): pick another product.`);
  if (product.category_id !== service.category_id) {
    refuse(
      'invalid_request',
      `${product.name} is in another category than ${service.product_name}: a service moves only within its category. Order it separately instead.`,
    );
  }
  const price = await findPrice(db, product.id, service.billing_cycle, service.currency);
  if (!price || price.currency !== service.currency) {
    refuse(
      'invalid_request',
      `${product.name} is not sold ${service.billing_cycle} in ${service.currency}: pick another product, or change the billing cycle first (PUT /services/{id}/billing-cycle) and move at the next renewal.`,
    );
  }
  return { product, price };
}

async function refuseUnpaidUpgrade(db: Kysely<Database>, serviceId: string): Promise<void> {
  const unpaid = await findUnpaidServiceInvoice(db, serviceId, 'upgrade');
  if (unpaid) {
    refuse(
      'conflict',
      `Upgrade invoice ${unpaid.number} (${unpaid.id}, ${formatAmount(unpaid.total_minor, unpaid.currency)}) of this service is still unpaid: pay it (POST /invoices/${unpaid.id}/payments), or have an admin void it, and a new change can be asked for.`,
    );
  }
}

function computeEstimate(
  service: Service,
  product: ProductRow,
  newAmountMinor: number,
  nowMs: number,
  zone: string,
): Estimate {
  const { startMs, endMs } = currentPeriod(service, zone);
  const total = Math.max(1, daysBetween(startMs, endMs, zone));
  const remaining = Math.min(total, Math.max(0, daysBetween(startOfDay(nowMs, zone), endMs, zone)));
  const oldAmount = Number(service.amount_minor);
  const unused = prorate(oldAmount, remaining, total);
  const charge = prorate(newAmountMinor, remaining, total);
  const net = charge - unused;
  const fmt = (m: number) => formatAmount(m, service.currency);
  return {
    service_id: service.id,
    direction: net > 0 ? 'upgrade' : 'downgrade',
    from: { product_id: service.product_id, name: service.product_name, amount_minor: oldAmount },
    to: { product_id: product.id, name: product.name, amount_minor: newAmountMinor },
    billing_cycle: service.billing_cycle,
    currency: service.currency,
    period: { start: iso(startMs), end: iso(endMs) },
    days: { total, used: total - remaining, remaining },
    used_minor: oldAmount - unused,
    unused_credit_minor: unused,
    charge_minor: charge,
    total_minor: net,
    new_recurring_amount_minor: newAmountMinor,
    method: PRORATION_METHOD,
    rounding: PRORATION_ROUNDING,
    summary:
      net > 0
        ? `${remaining} of ${total} days left: ${fmt(charge)} for ${product.name} less ${fmt(unused)} unused of ${service.product_name} = ${fmt(net)} to pay; then ${fmt(newAmountMinor)} ${service.billing_cycle}.`
        : `${remaining} of ${total} days left: ${fmt(unused)} unused of ${service.product_name} less ${fmt(charge)} for ${product.name} = ${fmt(-net)} to your credit; then ${fmt(newAmountMinor)} ${service.billing_cycle}.`,
  };
}

async function prepare(
  db: Kysely<Database>,
  deps: Deps,
  input: { serviceId: string; productId: string; clientId?: string },
) {
  const service = await movableService(db, input.serviceId, input.clientId);
  const { product, price } = await targetProduct(db, service, input.productId);
  await refuseUnpaidUpgrade(db, service.id);
  const estimate = computeEstimate(
    service,
    product,
    Number(price.amount_minor),
    deps.clock.nowMs(),
    deps.settings.snapshot['billing.time_zone'],
  );
  return { service, product, estimate };
}

export async function estimateUpgrade(
  deps: Deps,
  input: { serviceId: string; productId: string; clientId?: string },
): Promise<Estimate> {
  return (await prepare(deps.db.kysely, deps, input)).estimate;
}

/** The products a service can move to (same category, enabled, listed, sold in its cycle and currency). */
export async function upgradeOptions(deps: Deps, input: { serviceId: string; clientId?: string }) {
  const db = deps.db.kysely;
  const service = await movableService(db, input.serviceId, input.clientId);
  const unpaid = await findUnpaidServiceInvoice(db, service.id, 'upgrade');
  const zone = deps.settings.snapshot['billing.time_zone'];
  const items: Estimate[] = [];
  for (const product of await listEnabledProducts(db, service.category_id)) {
    if (product.id === service.product_id || product.hidden === 1) continue;
    const price = await findPrice(db, product.id, service.billing_cycle, service.currency);
    if (!price || price.currency !== service.currency) continue;
    items.push(computeEstimate(service, product, Number(price.amount_minor), deps.clock.nowMs(), zone));
  }
  return {
    items,
    pending_invoice: unpaid ? { id: unpaid.id, number: unpaid.number } : null,
  };
}

export interface UpgradeResult {
  direction: 'upgrade' | 'downgrade';
  invoice_id: string | null;
  number: string | null;
  operation_id: string | null;
  total: { amount_minor: number; currency: string };
  credited: { amount_minor: number; currency: string };
  estimate: Estimate;
}

/**
 * Asks for the move. Upgrade: an 'upgrade' invoice (the new product's days, less the unused
 * days) whose payment makes the change. Downgrade or equal: the difference to the client's
 * credit, the new product and amount, and the change_package job, in one transaction.
 */
export async function requestUpgrade(
  deps: Deps,
  input: {
    serviceId: string;
    productId: string;
    clientId?: string;
    actor: LifecyclePayload['actor'] & { ip?: string | null };
    correlationId: string;
  },
): Promise<UpgradeResult> {
  const now = deps.clock.nowMs();
  return deps.db.kysely.transaction().execute(async (trx) => {
    // Two requests for the same service take turns, so the second sees the first one's invoice.
    await lockServiceRow(trx, input.serviceId);
    const { service, product, estimate } = await prepare(trx, deps, input);
    const money = (amount_minor: number) => ({ amount_minor, currency: service.currency });
    const what = service.domain ? ` — ${service.domain}` : '';
    if (estimate.total_minor > 0) {
      const { invoice } = await issueInvoice(trx, deps.settings.snapshot, now, {
        clientId: service.client_id,
        currency: service.currency,
        kind: 'upgrade',
        dueAtMs: now,
        items: [
          {
            kind: 'upgrade',
            serviceId: service.id,
            description: `Upgrade to ${product.name}${what}: ${estimate.days.remaining} of ${estimate.days.total} days`,
            amountMinor: estimate.charge_minor,
            periodStartMs: startOfDay(now, deps.settings.snapshot['billing.time_zone']),
            periodEndMs: Number(service.next_due_at_ms),
            details: {
              from_product_id: service.product_id,
              to_product_id: product.id,
              new_amount_minor: estimate.new_recurring_amount_minor,
              billing_cycle: service.billing_cycle,
              days_remaining: estimate.days.remaining,
              days_total: estimate.days.total,
            },
          },
          ...(estimate.unused_credit_minor > 0
            ? [
                {
                  kind: 'upgrade' as const,
                  serviceId: service.id,
                  description: `Unused ${service.product_name}${what}: ${estimate.days.remaining} of ${estimate.days.total} days`,
                  amountMinor: -estimate.unused_credit_minor,
                  details: { unused_of_product_id: service.product_id },
                },
              ]
            : []),
        ],
      });
      await audit(trx, now, {
        actorType: input.actor.type,
        actorId: input.actor.id,
        action: 'service.upgrade_invoiced',
        targetType: 'service',
        targetId: service.id,
        ip: input.actor.ip ?? null,
        requestId: input.correlationId,
        details: { invoiceId: invoice.id, from: service.product_id, to: product.id, totalMinor: estimate.total_minor },
      });
      return {
        direction: 'upgrade' as const,
        invoice_id: invoice.id,
        number: invoice.number,
        operation_id: null,
        total: money(invoice.total_minor),
        credited: money(0),
        estimate,
      };
    }
    const credit = -estimate.total_minor;
    if (credit > 0) {
      await changeCredit(trx, {
        id: newId('credit', now),
        client_id: service.client_id,
        amount_minor: credit,
        reason: `Downgrade from ${service.product_name} to ${product.name}${what}: unused ${estimate.days.remaining} of ${estimate.days.total} days`,
        actor_type: input.actor.type,
        actor_id: input.actor.id,
        invoice_id: null,
        payment_id: null,
        at_ms: now,
      });
    }
    await changeServiceProduct(
      trx,
      service.id,
      { productId: product.id, amountMinor: estimate.new_recurring_amount_minor },
      now,
    );
    const operationId = await enqueueLifecycle(trx, {
      action: 'change_package',
      serviceId: service.id,
      clientId: service.client_id,
      serverId: service.server_id,
      productId: product.id,
      correlationId: input.correlationId,
      actor: { type: input.actor.type, id: input.actor.id },
      nowMs: now,
    });
    await audit(trx, now, {
      actorType: input.actor.type,
      actorId: input.actor.id,
      action: 'service.downgraded',
      targetType: 'service',
      targetId: service.id,
      ip: input.actor.ip ?? null,
      requestId: input.correlationId,
      details: { from: service.product_id, to: product.id, creditedMinor: credit, operationId },
    });
    return {
      direction: 'downgrade' as const,
      invoice_id: null,
      number: null,
      operation_id: operationId,
      total: money(0),
      credited: money(credit),
      estimate,
    };
  });
}

/**
 * Records the billing cycle the next renewal switches to (the product must be sold in it, in the
 * service's currency); the current cycle withdraws a pending change.
 */
export async function changeBillingCycle(
  deps: Deps,
  input: {
    serviceId: string;
    billingCycle: BillingCycle;
    clientId?: string;
    actor: LifecyclePayload['actor'] & { ip?: string | null };
    correlationId: string;
  },
) {
  const db = deps.db.kysely;
  const service = await findServiceBilling(db, input.serviceId);
  if (!service || (input.clientId !== undefined && service.client_id !== input.clientId))
    throw new AppError('not_found', 'The service was not found.');
  if (service.status === 'terminated' || service.status === 'cancelled' || service.status === 'pending') {
    refuse(
      'conflict',
      `The service is ${service.status}: its billing cycle can change only while it is active or suspended.`,
      'path.id',
    );
  }
  const same = input.billingCycle === service.billing_cycle;
  let nextAmount = Number(service.amount_minor);
  if (!same) {
    const price = await findPrice(db, service.product_id, input.billingCycle, service.currency);
    if (!price || price.currency !== service.currency) {
      refuse(
        'invalid_request',
        `${service.product_name} is not sold ${input.billingCycle} in ${service.currency}: pick another cycle.`,
        'body.billing_cycle',
      );
    }
    nextAmount = Number(price.amount_minor);
  }
  const now = deps.clock.nowMs();
  const next = same ? null : input.billingCycle;
  await db.transaction().execute(async (trx) => {
    await setNextBillingCycle(trx, service.id, next, now);
    await audit(trx, now, {
      actorType: input.actor.type,
      actorId: input.actor.id,
      action: 'service.billing_cycle_changed',
      targetType: 'service',
      targetId: service.id,
      ip: input.actor.ip ?? null,
      requestId: input.correlationId,
      details: { from: service.billing_cycle, next },
    });
  });
  return {
    service_id: service.id,
    billing_cycle: service.billing_cycle,
    next_billing_cycle: next,
    next_amount_minor: nextAmount,
    currency: service.currency,
    takes_effect_at: next ? iso(service.next_due_at_ms) : null,
  };
}

import { defineRoute } from '../userapi/route.js';
import { changeBillingCycle, estimateUpgrade, requestUpgrade, upgradeOptions } from './upgrade.js';
import {
  BillingCycleBody,
  BillingCycleChanged,
  ServiceParam,
  UpgradeBody,
  UpgradeCreated,
  UpgradeEstimate,
  UpgradeOptions,
} from './upgrade-schemas.js';

const CATEGORY = 'Services';

/** Upgrades, downgrades and billing-cycle changes of a client's own services. */
export const upgradeRoutes = [
  defineRoute({
    method: 'GET',
    path: '/services/{id}/upgrade-options',
    operationId: 'listServiceUpgradeOptions',
    category: CATEGORY,
    summary: 'List the products a service can move to',
    description:
      'The other products of the service’s category sold in its billing cycle and currency, each with its prorated estimate.',
    auth: 'client',
    params: ServiceParam,
    errors: ['not_found', 'conflict'],
    response: { status: 200, description: 'The products and their estimates', schema: UpgradeOptions },
    handler: async ({ params }, ctx) =>
      upgradeOptions(ctx.app, { serviceId: params.id, clientId: ctx.principal.clientId }),
  }),
  defineRoute({
    method: 'POST',
    path: '/services/{id}/upgrade/estimate',
    operationId: 'estimateServiceUpgrade',
    category: CATEGORY,
    summary: 'Estimate moving a service to another product',
    description:
      'What moving to another product of the same category costs now: the unused days of the current period are credited and the new price is charged for them, by local days in the provider’s time zone, each part rounded half up. Changes nothing.',
    auth: 'client',
    params: ServiceParam,
    body: UpgradeBody,
    errors: ['not_found', 'invalid_request', 'conflict'],
    response: { status: 200, description: 'The estimate', schema: UpgradeEstimate },
    handler: async ({ params, body }, ctx) =>
      estimateUpgrade(ctx.app, { serviceId: params.id, productId: body.product_id, clientId: ctx.principal.clientId }),
  }),
  defineRoute({
    method: 'POST',
    path: '/services/{id}/upgrade',
    operationId: 'upgradeService',
    category: CATEGORY,
    summary: 'Move a service to another product',
    description:
      'An upgrade answers 201 with an invoice: pay it (POST /invoices/{id}/payments) and the package changes within seconds. A downgrade (or a move that costs nothing) answers 202: the difference is added to your credit and the package change is queued (follow `operation_id` with GET /operations/{id}). Send an Idempotency-Key so a retry never asks twice.',
    auth: 'client',
    idempotent: true,
    params: ServiceParam,
    body: UpgradeBody,
    errors: ['not_found', 'invalid_request', 'conflict'],
    response: {
      status: 201,
      description: 'The invoice (upgrade) or the queued change (downgrade, 202)',
      schema: UpgradeCreated,
    },
    handler: async ({ params, body }, ctx) => {
      const result = await requestUpgrade(ctx.app, {
        serviceId: params.id,
        productId: body.product_id,
        clientId: ctx.principal.clientId,
        actor: { type: 'client', id: ctx.principal.clientId, ip: ctx.ip },
        correlationId: ctx.requestId,
      });
      if (result.invoice_id) ctx.setHeader('location', `/api/v1/invoices/${result.invoice_id}`);
      else ctx.setStatus(202);
      return result;
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/services/{id}/billing-cycle',
    operationId: 'changeServiceBillingCycle',
    category: CATEGORY,
    summary: 'Change a service’s billing cycle',
    description:
      'Sets the billing cycle from the next renewal on (the product must be sold in it, in the service’s currency). The current cycle withdraws a pending change. The service shows it as `next_billing_cycle`.',
    auth: 'client',
    params: ServiceParam,
    body: BillingCycleBody,
    errors: ['not_found', 'invalid_request', 'conflict'],
    response: { status: 200, description: 'The pending change', schema: BillingCycleChanged },
    handler: async ({ params, body }, ctx) =>
      changeBillingCycle(ctx.app, {
        serviceId: params.id,
        billingCycle: body.billing_cycle,
        clientId: ctx.principal.clientId,
        actor: { type: 'client', id: ctx.principal.clientId, ip: ctx.ip },
        correlationId: ctx.requestId,
      }),
  }),
];

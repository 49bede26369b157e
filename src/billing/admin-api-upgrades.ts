import { adminActor, defineAdminRoute } from '../admin/route.js';
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

const category = 'Services';

/** Upgrades, downgrades and billing-cycle changes of any client's service, as the client would ask. */
export const upgradeAdminRoutes = [
  defineAdminRoute({
    method: 'GET',
    path: '/services/{id}/upgrade-options',
    operationId: 'adminListServiceUpgradeOptions',
    category,
    summary: 'List the products a service can move to',
    description: 'The other products of the service’s category sold in its cycle and currency, with their estimates.',
    auth: 'admin',
    params: ServiceParam,
    errors: ['not_found', 'conflict'],
    response: { status: 200, description: 'The products and their estimates.', schema: UpgradeOptions },
    handler: async ({ params }, ctx) => upgradeOptions(ctx.app, { serviceId: params.id }),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/services/{id}/upgrade/estimate',
    operationId: 'adminEstimateServiceUpgrade',
    category,
    summary: 'Estimate moving a service to another product',
    description:
      'The prorated cost of moving the service to another product of its category now (by local days, each part rounded half up). Changes nothing.',
    auth: 'admin',
    permission: 'read',
    params: ServiceParam,
    body: UpgradeBody,
    errors: ['not_found', 'invalid_request', 'conflict'],
    response: { status: 200, description: 'The estimate.', schema: UpgradeEstimate },
    handler: async ({ params, body }, ctx) =>
      estimateUpgrade(ctx.app, { serviceId: params.id, productId: body.product_id }),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/services/{id}/upgrade',
    operationId: 'adminUpgradeService',
    category,
    summary: 'Move a service to another product',
    description:
      'An upgrade issues the client an invoice (201; mark it paid to make the change); a downgrade credits the difference and queues the package change (202).',
    auth: 'admin',
    permission: 'services.billing',
    params: ServiceParam,
    body: UpgradeBody,
    errors: ['not_found', 'invalid_request', 'conflict'],
    response: { status: 201, description: 'The invoice, or the queued change (202).', schema: UpgradeCreated },
    handler: async ({ params, body }, ctx) => {
      const result = await requestUpgrade(ctx.app, {
        serviceId: params.id,
        productId: body.product_id,
        actor: adminActor(ctx),
        correlationId: ctx.requestId,
      });
      if (!result.invoice_id) ctx.setStatus(202);
      return result;
    },
  }),
  defineAdminRoute({
    method: 'PUT',
    path: '/services/{id}/billing-cycle',
    operationId: 'adminChangeServiceBillingCycle',
    category,
    summary: 'Change a service’s billing cycle',
    description: 'Sets the billing cycle from the next renewal on; the current cycle withdraws a pending change.',
    auth: 'admin',
    permission: 'services.billing',
    params: ServiceParam,
    body: BillingCycleBody,
    errors: ['not_found', 'invalid_request', 'conflict'],
    response: { status: 200, description: 'The pending change.', schema: BillingCycleChanged },
    handler: async ({ params, body }, ctx) =>
      changeBillingCycle(ctx.app, {
        serviceId: params.id,
        billingCycle: body.billing_cycle,
        actor: adminActor(ctx),
        correlationId: ctx.requestId,
      }),
  }),
];

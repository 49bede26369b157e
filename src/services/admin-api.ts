import { Type } from '@sinclair/typebox';
import { defineAdminRoute } from '../admin/route.js';
import { BillingCycle } from '../catalog/schemas.js';
import { IdParam, NullableTimestamp } from '../platform/http/schemas.js';
import { setServicePrice } from './billing.js';

/** A service's billing in the Admin API: its own recurring amount and next due date. */
export const serviceBillingAdminRoutes = [
  defineAdminRoute({
    method: 'PATCH',
    path: '/services/{id}/billing',
    operationId: 'adminUpdateServiceBilling',
    category: 'Billing',
    summary: 'Change a service’s price or due date',
    description:
      'Sets the recurring amount the service renews at (a product price change applies to new orders only) and/or its next due date (a day in the provider’s time zone). Audit-logged with the old and new values. The same as `portico services set-price`.',
    auth: 'admin',
    permission: 'services.billing',
    params: Type.Object({ id: IdParam('service', 'Service id') }, { additionalProperties: false }),
    body: Type.Object(
      {
        amount_minor: Type.Optional(
          Type.Integer({ minimum: 0, description: 'Recurring amount in minor units', examples: [400] }),
        ),
        next_due_at: Type.Optional(
          Type.String({
            pattern: '^\\d{4}-\\d{2}-\\d{2}$',
            description: 'Next due date, YYYY-MM-DD',
            examples: ['2027-01-31'],
          }),
        ),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
    response: {
      status: 200,
      description: 'The service’s billing after the change.',
      schema: Type.Object(
        {
          id: IdParam('service', 'Service id'),
          amount_minor: Type.Integer(),
          currency: Type.String({ examples: ['USD'] }),
          billing_cycle: BillingCycle,
          next_due_at: NullableTimestamp,
        },
        { additionalProperties: false },
      ),
    },
    errors: ['not_found', 'invalid_request'],
    handler: async ({ params, body }, ctx) =>
      setServicePrice(
        ctx.app,
        { type: 'admin', id: ctx.principal.adminId, ip: ctx.ip, requestId: ctx.requestId },
        params.id,
        {
          ...(body.amount_minor !== undefined ? { amountMinor: body.amount_minor } : {}),
          ...(body.next_due_at !== undefined ? { nextDue: body.next_due_at } : {}),
        },
      ),
  }),
];

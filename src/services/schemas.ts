import { Type } from '@sinclair/typebox';
import { BillingCycle } from '../catalog/schemas.js';
import { IdParam, NullableString, NullableTimestamp, StringEnum, Timestamp } from '../platform/http/schemas.js';

export const SERVICE_STATUSES = ['pending', 'active', 'suspended', 'terminated', 'cancelled'] as const;
export const ServiceStatus = StringEnum(SERVICE_STATUSES, {
  description: 'pending (being set up), active, suspended, terminated, cancelled',
});

export const Service = Type.Object(
  {
    id: IdParam('service', 'Service id'),
    product_id: IdParam('product', 'Product id'),
    product_name: Type.String({ examples: ['Starter'] }),
    domain: NullableString({ examples: ['example.com'] }),
    status: ServiceStatus,
    billing_cycle: BillingCycle,
    next_billing_cycle: Type.Union([BillingCycle, Type.Null()], {
      description: 'A billing-cycle change the next renewal applies; null: none pending',
    }),
    amount_minor: Type.Integer({ description: 'Recurring price in minor units', examples: [499] }),
    currency: Type.String({ examples: ['USD'] }),
    panel_username: NullableString({
      description: 'The hosting account login on the panel, once provisioned',
      examples: ['u3kx9q2m'],
    }),
    next_due_at: NullableTimestamp,
    cancellation: Type.Union([
      Type.Object(
        {
          type: StringEnum(['end_of_period', 'immediate']),
          reason: NullableString(),
          requested_at: Timestamp,
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    created_at: Timestamp,
  },
  { additionalProperties: false },
);

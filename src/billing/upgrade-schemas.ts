import { Type } from '@sinclair/typebox';
import { BillingCycle } from '../catalog/schemas.js';
import { IdParam, Money, NullableString, NullableTimestamp, StringEnum, Timestamp } from '../platform/http/schemas.js';

export const ServiceParam = Type.Object({ id: IdParam('service', 'Service id') }, { additionalProperties: false });

export const UpgradeBody = Type.Object(
  { product_id: IdParam('product', 'The product to move to (same category)') },
  { additionalProperties: false },
);

const ProductSide = Type.Object(
  {
    product_id: IdParam('product', 'Product id'),
    name: Type.String({ examples: ['Starter'] }),
    amount_minor: Type.Integer({ description: 'Its price for the service’s cycle, minor units', examples: [999] }),
  },
  { additionalProperties: false },
);

export const UpgradeEstimate = Type.Object(
  {
    service_id: IdParam('service', 'Service id'),
    direction: StringEnum(['upgrade', 'downgrade'], {
      description: 'upgrade: an invoice to pay; downgrade (or equal): the difference goes to your credit',
    }),
    from: ProductSide,
    to: ProductSide,
    billing_cycle: BillingCycle,
    currency: Type.String({ examples: ['USD'] }),
    period: Type.Object({ start: Timestamp, end: Timestamp }, { additionalProperties: false }),
    days: Type.Object(
      {
        total: Type.Integer({ description: 'Local days in the current period', examples: [28] }),
        used: Type.Integer({ description: 'Days before today', examples: [14] }),
        remaining: Type.Integer({ description: 'Days from today to the end of the period', examples: [14] }),
      },
      { additionalProperties: false },
    ),
    used_minor: Type.Integer({ description: 'The part of the current amount used so far', examples: [499] }),
    unused_credit_minor: Type.Integer({
      description: 'Credited: the unused part of the current amount',
      examples: [500],
    }),
    charge_minor: Type.Integer({ description: 'The new price for the remaining days', examples: [1250] }),
    total_minor: Type.Integer({
      description: 'charge − unused credit, before tax; negative means credit to you',
      examples: [750],
    }),
    new_recurring_amount_minor: Type.Integer({ description: 'The price from the next renewal on', examples: [2499] }),
    method: Type.String(),
    rounding: Type.String(),
    summary: Type.String(),
  },
  { additionalProperties: false },
);

export const UpgradeCreated = Type.Object(
  {
    direction: StringEnum(['upgrade', 'downgrade']),
    invoice_id: Type.Union([IdParam('invoice', 'The upgrade invoice to pay'), Type.Null()]),
    number: NullableString({ description: 'The invoice number', examples: ['INV-2027-00012'] }),
    operation_id: Type.Union([IdParam('job', 'The package change (a downgrade)'), Type.Null()]),
    total: Money,
    credited: Money,
    estimate: UpgradeEstimate,
  },
  { additionalProperties: false },
);

export const UpgradeOptions = Type.Object(
  {
    items: Type.Array(UpgradeEstimate),
    pending_invoice: Type.Union([
      Type.Object(
        { id: IdParam('invoice', 'Invoice id'), number: Type.String() },
        { additionalProperties: false, description: 'An unpaid upgrade invoice: pay it before another move' },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);

export const BillingCycleBody = Type.Object({ billing_cycle: BillingCycle }, { additionalProperties: false });

export const BillingCycleChanged = Type.Object(
  {
    service_id: IdParam('service', 'Service id'),
    billing_cycle: BillingCycle,
    next_billing_cycle: Type.Union([BillingCycle, Type.Null()], {
      description: 'The cycle from the next renewal on; null: no change pending',
    }),
    next_amount_minor: Type.Integer({ description: 'The amount from the next renewal on', examples: [4990] }),
    currency: Type.String({ examples: ['USD'] }),
    takes_effect_at: NullableTimestamp,
  },
  { additionalProperties: false },
);

import { Type } from '@sinclair/typebox';
import { BillingCycle } from '../catalog/schemas.js';
import { JOB_STATES } from '../platform/db/schema.js';
import { exampleId, IdParam, NullableTimestamp, StringEnum, TextLine, Timestamp } from '../platform/http/schemas.js';

export const OrderBody = Type.Object(
  {
    product_id: IdParam('product', 'The product to order'),
    billing_cycle: BillingCycle,
    domain: TextLine({
      minLength: 3,
      maxLength: 253,
      description: 'The domain the hosting account is for (IDN allowed, without www.)',
      examples: ['example.com'],
    }),
  },
  {
    additionalProperties: false,
    examples: [{ product_id: exampleId('product'), billing_cycle: 'monthly', domain: 'example.com' }],
  },
);

export const OrderCreated = Type.Object(
  {
    order_id: IdParam('order', 'Order id'),
    invoice_id: IdParam('invoice', 'The invoice to pay'),
    service_id: IdParam('service', 'The service, pending until paid and provisioned'),
    total: Type.Object({ amount_minor: Type.Integer(), currency: Type.String() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export const PaymentCreated = Type.Object(
  {
    payment_id: IdParam('payment', 'Payment id'),
    invoice_id: IdParam('invoice', 'Invoice id'),
    status: Type.Literal('paid'),
    operations: Type.Array(IdParam('job', 'An operation to follow with GET /operations/{id}'), {
      description: 'Provisioning started by this payment',
    }),
  },
  { additionalProperties: false },
);

export const Operation = Type.Object(
  {
    id: IdParam('job', 'Operation id'),
    action: Type.String({ examples: ['service.create'] }),
    state: StringEnum(JOB_STATES),
    service_id: Type.Union([Type.String(), Type.Null()]),
    steps_done: Type.Array(Type.String(), { examples: [['place', 'credentials', 'create-user']] }),
    attempts: Type.Integer(),
    error: Type.Union([
      Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false }),
      Type.Null(),
    ]),
    created_at: Timestamp,
    finished_at: NullableTimestamp,
  },
  { additionalProperties: false },
);

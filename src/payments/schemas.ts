import { Type } from '@sinclair/typebox';
import {
  exampleId,
  IdParam,
  Money,
  NullableString,
  NullableTimestamp,
  PageQuery,
  StringEnum,
  TextLine,
  Timestamp,
} from '../platform/http/schemas.js';
import { PAYMENT_METHODS } from './methods.js';

export const PaymentMethod = StringEnum(PAYMENT_METHODS, {
  description: 'credit: from your credit balance; bank_transfer: by transfer to the provider; stripe: by card',
});

export const BankTransfer = Type.Object(
  {
    bank_details: Type.String({
      description: 'Where to transfer to',
      examples: ['Example Hosting Ltd\nIBAN DE89 3704 0044 0532 0130 00\nBIC COBADEFFXXX'],
    }),
    reference: Type.String({ description: 'Quote this reference with the transfer', examples: ['INV-2026-00042'] }),
    amount_minor: Type.Integer({ description: 'What remains to pay', examples: [594] }),
    currency: Type.String({ examples: ['EUR'] }),
  },
  { additionalProperties: false, description: 'How to pay by bank transfer' },
);

export const PaymentBody = Type.Object(
  {
    method: Type.Optional(PaymentMethod),
    save_card: Type.Optional(
      Type.Boolean({ description: 'stripe only: keep the card for automatic renewal charges', default: false }),
    ),
  },
  { additionalProperties: false, examples: [{ method: 'credit' }, { method: 'stripe', save_card: true }] },
);

export const PaymentStarted = Type.Object(
  {
    payment_id: Type.Optional(IdParam('payment', 'The payment (credit: paid at once)')),
    invoice_id: IdParam('invoice', 'Invoice id'),
    method: PaymentMethod,
    status: StringEnum(['paid', 'pending'] as const, {
      description: 'paid: done; pending: transfer the money, or complete the card payment at checkout_url',
    }),
    operations: Type.Array(IdParam('job', 'An operation to follow with GET /operations/{id}'), {
      description: 'Provisioning started by this payment',
    }),
    bank_transfer: Type.Optional(BankTransfer),
    checkout_url: Type.Optional(
      Type.String({
        format: 'uri',
        description: 'stripe: send the client here to pay',
        examples: ['https://checkout.stripe.com/c/pay/cs_test_a1'],
      }),
    ),
  },
  { additionalProperties: false },
);

export const TopUpBody = Type.Object(
  {
    amount_minor: Type.Integer({
      minimum: 100,
      maximum: 100_000_000,
      description: 'Funds to add, minor units',
      examples: [2000],
    }),
    method: StringEnum(['bank_transfer', 'stripe'] as const, { description: 'How you pay for them' }),
    save_card: Type.Optional(Type.Boolean({ description: 'stripe only: keep the card for renewals', default: false })),
  },
  { additionalProperties: false, examples: [{ amount_minor: 2000, method: 'stripe' }] },
);

export const TopUpCreated = Type.Object(
  {
    invoice_id: IdParam('invoice', 'The invoice for the funds'),
    number: Type.String({ examples: ['INV-2026-00043'] }),
    total: Money,
    payment: PaymentStarted,
  },
  { additionalProperties: false },
);

export { ATTEMPT_STATUSES } from './statuses.js';

import { ATTEMPT_STATUSES } from './statuses.js';

const attemptFields = {
  id: IdParam('paymentAttempt', 'Attempt id'),
  invoice_id: IdParam('invoice', 'The invoice'),
  method: Type.Literal('stripe'),
  purpose: StringEnum(['checkout', 'renewal_charge'] as const, {
    description: 'checkout: the client paying at Stripe Checkout; renewal_charge: the saved card charged automatically',
  }),
  amount_minor: Type.Integer({ examples: [594] }),
  currency: Type.String({ examples: ['EUR'] }),
  status: StringEnum(ATTEMPT_STATUSES, {
    description: 'mismatch: Stripe reported another amount or currency, or the invoice was no longer unpaid; not paid',
  }),
  error: NullableString({ description: 'Why it failed', examples: ['Your card was declined.'] }),
  attempt: Type.Integer({ description: '1 for the first try, 2 for the first retry…', examples: [1] }),
  next_attempt_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const PaymentAttempt = Type.Object(attemptFields, { additionalProperties: false });
export const AdminPaymentAttempt = Type.Object(
  {
    ...attemptFields,
    client_id: IdParam('client', 'The client'),
    provider_ref: NullableString({
      description: 'Stripe’s id (Checkout Session or PaymentIntent)',
      examples: ['pi_3Abc'],
    }),
  },
  { additionalProperties: false },
);

export const AttemptQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(StringEnum(ATTEMPT_STATUSES)),
    client_id: Type.Optional(IdParam('client', 'Only this client’s')),
  },
  { additionalProperties: false },
);

export const RecordPaymentBody = Type.Object(
  {
    amount_minor: Type.Integer({
      minimum: 1,
      maximum: 100_000_000_000,
      description: 'Received, minor units',
      examples: [594],
    }),
    method: Type.Literal('bank_transfer', { description: 'How it was received' }),
    reference: TextLine({
      minLength: 1,
      maxLength: 200,
      description: 'The transfer’s reference or bank id',
      examples: ['INV-2026-00042'],
    }),
    received_on: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
        description:
          'The day the money arrived (provider’s time zone), not after today nor before the invoice was issued; default today. The payment is dated that day.',
        examples: ['2026-12-01'],
      }),
    ),
  },
  { additionalProperties: false },
);

export const RecordedPayment = Type.Object(
  {
    payment_id: IdParam('payment', 'Payment id'),
    invoice_id: IdParam('invoice', 'Invoice id'),
    status: StringEnum(['paid', 'unpaid'] as const, { description: 'paid once the whole total is received' }),
    paid_minor: Type.Integer({ description: 'Received so far', examples: [594] }),
    operations: Type.Array(IdParam('job', 'Provisioning started')),
  },
  { additionalProperties: false },
);

export const StripeRefundBody = Type.Object(
  {
    amount_minor: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100_000_000_000, description: 'Default: what remains', examples: [250] }),
    ),
    reason: TextLine({ minLength: 1, maxLength: 500, description: 'Why', examples: ['Goodwill'] }),
  },
  { additionalProperties: false },
);

export const StripeRefunded = Type.Object(
  {
    refund_id: IdParam('payment', 'The refund’s payment id'),
    stripe_refund_id: Type.String({ examples: ['re_3Abc'] }),
    invoice_id: IdParam('invoice', 'Invoice id'),
    amount_minor: Type.Integer({ examples: [250] }),
  },
  { additionalProperties: false },
);

export const exampleAttemptId = exampleId('paymentAttempt');

export const SavedCard = Type.Object(
  {
    saved: Type.Boolean({ description: 'Whether a card is saved for automatic renewal charges' }),
    card: Type.Union(
      [
        Type.Object(
          {
            brand: Type.String({ examples: ['visa'] }),
            last4: Type.String({ examples: ['4242'] }),
            exp_month: Type.Integer({ examples: [12] }),
            exp_year: Type.Integer({ examples: [2029] }),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'The card, or null (none saved, or Stripe could not be asked just now: see note)' },
    ),
    saved_at: NullableTimestamp,
    note: NullableString({ description: 'Why the card’s details are missing, when they are' }),
  },
  { additionalProperties: false },
);

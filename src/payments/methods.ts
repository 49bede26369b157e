import type { PaymentMethodName } from '../platform/db/schema.js';
import { AppError } from '../platform/http/errors.js';
import type { SettingsSnapshot } from '../settings/definitions.js';

/**
 * The ways a client can pay, each switched on or off by the admin (settings payments.<method>).
 * Whatever the method, money received goes through one function, `recordPayment`
 * (src/payments/record.ts): a payment row, the amount paid so far, and — once the whole invoice
 * is paid — the same paid-invoice handling for every method (src/billing/paid.ts).
 *
 * - `credit` pays at once from the client's credit balance;
 * - `bank_transfer` answers the provider's bank details and the reference to quote; an admin
 *   records the transfer when it arrives (in parts or whole);
 * - `stripe` answers a Stripe Checkout URL; Stripe's webhook reports the payment.
 */
export const PAYMENT_METHODS = ['credit', 'bank_transfer', 'stripe'] as const satisfies readonly PaymentMethodName[];

const SETTING = {
  credit: 'payments.credit',
  bank_transfer: 'payments.bank_transfer',
  stripe: 'payments.stripe',
} as const satisfies Record<PaymentMethodName, keyof SettingsSnapshot>;

export function isMethodEnabled(settings: SettingsSnapshot, method: PaymentMethodName): boolean {
  return settings[SETTING[method]];
}

export function enabledMethods(settings: SettingsSnapshot): PaymentMethodName[] {
  return PAYMENT_METHODS.filter((m) => isMethodEnabled(settings, m));
}

/** Refuses a method the admin switched off, naming those that are on. */
export function requireMethodEnabled(settings: SettingsSnapshot, method: PaymentMethodName, field = 'body.method') {
  if (isMethodEnabled(settings, method)) return;
  const on = enabledMethods(settings);
  throw new AppError(
    'payment_method_disabled',
    `Paying by ${method.replace('_', ' ')} is switched off. ${on.length ? `Pay with ${on.join(' or ')} instead.` : 'No payment method is on: contact the provider.'}`,
    { errors: [{ field, message: `is switched off (on: ${on.join(', ') || 'none'})` }] },
  );
}

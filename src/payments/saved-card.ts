import type { AppContext } from '../app-context.js';
import { iso } from '../platform/http/checks.js';
import { notFound } from '../platform/http/errors.js';
import { findStripeCustomer, saveStripeCard } from './store.js';
import { stripeClient } from './stripe-client.js';

/**
 * The card a client saved for automatic renewal charges (a checkout with `save_card`): what it
 * is, and removing it. Removing stops the charges at once (the card is forgotten here first) and
 * then detaches the card from the client's Stripe customer, so it cannot be charged at all.
 */
type Deps = Pick<AppContext, 'db' | 'clock' | 'settings' | 'secrets' | 'config' | 'logger'>;

export async function savedCard(deps: Deps, clientId: string) {
  const row = await findStripeCustomer(deps.db.kysely, clientId);
  if (!row?.payment_method_id) return { saved: false as const, card: null, saved_at: null, note: null };
  const base = { saved: true as const, saved_at: iso(Number(row.updated_at_ms)) };
  try {
    const pm = await stripeClient(deps).paymentMethods.retrieve(row.payment_method_id);
    const card = pm.card
      ? { brand: pm.card.brand, last4: pm.card.last4, exp_month: pm.card.exp_month, exp_year: pm.card.exp_year }
      : null;
    return { ...base, card, note: null };
  } catch (error) {
    deps.logger.warn({ err: error, clientId }, 'reading the saved card from Stripe failed');
    return {
      ...base,
      card: null,
      note: 'The card’s details could not be read from Stripe just now; it is still saved and charged for renewals.',
    };
  }
}

export async function removeSavedCard(deps: Deps, clientId: string): Promise<void> {
  const row = await findStripeCustomer(deps.db.kysely, clientId);
  if (!row?.payment_method_id) throw notFound('A saved card');
  await saveStripeCard(deps.db.kysely, clientId, null, deps.clock.nowMs());
  try {
    await stripeClient(deps).paymentMethods.detach(row.payment_method_id);
  } catch (error) {
    // No longer charged by Portico either way; the detach is Stripe's side of the same promise.
    deps.logger.warn({ err: error, clientId }, 'detaching the removed card at Stripe failed');
  }
}

import Stripe from 'stripe';
import type { AppContext } from '../app-context.js';
import { AppError } from '../platform/http/errors.js';

/**
 * The official Stripe SDK, configured from settings: the secret key is stored sealed with the
 * master key (settings payments.stripe_secret_key) and opened here. PORTICO_STRIPE_API_BASE sends
 * the SDK's requests elsewhere (the tests' loopback server). One client per key.
 */
export type StripeDeps = Pick<AppContext, 'settings' | 'secrets' | 'config'>;

let cached: { sealed: string; base: string; client: Stripe } | undefined;

export function stripeClient(deps: StripeDeps): Stripe {
  const sealed = deps.settings.snapshot['payments.stripe_secret_key'];
  if (!sealed) {
    throw new AppError(
      'payment_method_disabled',
      'Card payments are not set up: the provider has to set payments.stripe_secret_key. Pay another way meanwhile.',
    );
  }
  const base = deps.config.stripeApiBase;
  if (cached?.sealed === sealed && cached.base === (base?.href ?? '')) return cached.client;
  const client = new Stripe(deps.secrets().open(sealed), {
    maxNetworkRetries: 1,
    timeout: 20_000,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'https:' ? 443 : 80),
          protocol: base.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
  cached = { sealed, base: base?.href ?? '', client };
  return client;
}

/** The webhook endpoint's signing secret, opened; empty when not set. */
export function stripeWebhookSecret(deps: Pick<AppContext, 'settings' | 'secrets'>): string {
  const sealed = deps.settings.snapshot['payments.stripe_webhook_secret'];
  return sealed ? deps.secrets().open(sealed) : '';
}

/** A Stripe error as a problem the caller can act on. */
export function providerError(error: unknown, what: string): AppError {
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('payment_provider_error', `Stripe could not ${what}: ${message}. Try again in a minute.`, {
    cause: error,
  });
}

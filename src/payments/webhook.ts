import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.js';
import { applyStripeEvent, verifyStripeEvent } from './stripe.js';

/** The path to give Stripe as the webhook endpoint (Dashboard → Developers → Webhooks). */
export const STRIPE_WEBHOOK_PATH = '/payments/stripe/webhook';

/**
 * `POST /payments/stripe/webhook`: Stripe's events, verified against the raw body with the
 * endpoint's signing secret — so this route alone reads its body as bytes (its own content-type
 * parser, in its own scope), never as parsed JSON. A bad signature answers 400 and changes
 * nothing; an event already applied answers 200 `duplicate`.
 */
export async function registerStripeWebhook(server: FastifyInstance, app: AppContext): Promise<void> {
  await server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) =>
      done(null, body),
    );
    scope.post(STRIPE_WEBHOOK_PATH, async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers['stripe-signature'];
      const event = verifyStripeEvent(app, raw, typeof signature === 'string' ? signature : undefined);
      const result = await applyStripeEvent(app, event);
      app.logger.info({ eventId: event.id, type: event.type, ...result }, 'stripe event');
      reply.code(200);
      return { received: true, outcome: result.outcome };
    });
  });
}

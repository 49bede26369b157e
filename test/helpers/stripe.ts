import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/**
 * A stand-in for api.stripe.com on loopback, for the real Stripe SDK (PORTICO_STRIPE_API_BASE):
 * it answers only the endpoints Portico calls (customers, Checkout Sessions, PaymentIntents,
 * refunds), records every request with its form-decoded parameters, and declines the next
 * off-session charges on demand. Events are signed with the SDK's own test header.
 */
export interface StripeRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  idempotencyKey: string | undefined;
}

export interface FakeStripe {
  url: string;
  requests: StripeRequest[];
  /** Objects created so far, by id. */
  objects: Map<string, Record<string, unknown>>;
  /** The next `n` PaymentIntents created are declined (card_declined). */
  declineNextCharges(n: number): void;
  /** A signed webhook delivery of an event with this type and object. */
  signedEvent(
    secret: string,
    type: string,
    object: Record<string, unknown>,
    id?: string,
  ): { payload: string; headers: Record<string, string> };
  /** The checkout.session.completed object Stripe sends when the client paid the session. */
  completedSession(
    sessionId: string,
    overrides?: { amount_total?: number; currency?: string },
  ): Record<string, unknown>;
  close(): Promise<void>;
}

const sdk = new Stripe('sk_test_helper');
const id = (prefix: string) => `${prefix}_test_${randomBytes(8).toString('hex')}`;

async function body(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: StripeRequest[] = [];
  const objects = new Map<string, Record<string, unknown>>();
  let declines = 0;
  const detached = new Set<string>();
  const metadataOf = (params: Record<string, string>, prefix = 'metadata') =>
    Object.fromEntries(
      Object.entries(params)
        .filter(([k]) => k.startsWith(`${prefix}[`))
        .map(([k, v]) => [k.slice(prefix.length + 1, -1), v]),
    );

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const params = req.method === 'GET' ? Object.fromEntries(url.searchParams) : await body(req);
    const header = req.headers['idempotency-key'];
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      params,
      idempotencyKey: typeof header === 'string' ? header : undefined,
    });
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
      res.end(JSON.stringify(json));
    };
    const path = url.pathname;
    if (req.method === 'POST' && path === '/v1/customers') {
      const customer = { id: id('cus'), object: 'customer', email: params.email ?? null, metadata: metadataOf(params) };
      objects.set(customer.id, customer);
      return send(200, customer);
    }
    if (req.method === 'POST' && path === '/v1/checkout/sessions') {
      const sessionId = id('cs');
      const session = {
        id: sessionId,
        object: 'checkout.session',
        mode: params.mode,
        url: `https://checkout.stripe.test/c/pay/${sessionId}`,
        customer: params.customer ?? null,
        client_reference_id: params.client_reference_id ?? null,
        amount_total: Number(params['line_items[0][price_data][unit_amount]'] ?? 0),
        currency: params['line_items[0][price_data][currency]'] ?? null,
        metadata: metadataOf(params),
        payment_intent_metadata: metadataOf(params, 'payment_intent_data[metadata]'),
        setup_future_usage: params['payment_intent_data[setup_future_usage]'] ?? null,
        payment_status: 'unpaid',
        status: 'open',
        payment_intent: null,
      };
      objects.set(sessionId, session);
      return send(200, session);
    }
    const intentMatch = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && intentMatch) {
      const intent = objects.get(intentMatch[1] ?? '');
      return intent
        ? send(200, intent)
        : send(404, { error: { type: 'invalid_request_error', message: 'No such payment_intent' } });
    }
    if (req.method === 'POST' && path === '/v1/payment_intents') {
      const intent: Record<string, unknown> = {
        id: id('pi'),
        object: 'payment_intent',
        amount: Number(params.amount),
        amount_received: 0,
        currency: params.currency,
        customer: params.customer ?? null,
        payment_method: params.payment_method ?? null,
        metadata: metadataOf(params),
        status: 'requires_payment_method',
      };
      objects.set(intent.id as string, intent);
      if (declines > 0) {
        declines--;
        intent.last_payment_error = { code: 'card_declined', message: 'Your card was declined.' };
        return send(402, {
          error: {
            type: 'card_error',
            code: 'card_declined',
            decline_code: 'insufficient_funds',
            message: 'Your card was declined.',
            payment_intent: intent,
          },
        });
      }
      intent.status = 'succeeded';
      intent.amount_received = intent.amount;
      return send(200, intent);
    }
    const methodMatch = /^\/v1\/payment_methods\/([^/]+)(\/detach)?$/.exec(path);
    if (methodMatch) {
      const pmId = methodMatch[1] ?? '';
      if (!pmId.startsWith('pm_') || detached.has(pmId)) {
        return send(404, { error: { type: 'invalid_request_error', message: `No such PaymentMethod: '${pmId}'` } });
      }
      const pm = {
        id: pmId,
        object: 'payment_method',
        type: 'card',
        card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030 },
        customer: methodMatch[2] ? null : 'cus_test',
      };
      if (req.method === 'POST' && methodMatch[2]) detached.add(pmId);
      return send(200, pm);
    }
    if (req.method === 'POST' && path === '/v1/refunds') {
      const refund = {
        id: id('re'),
        object: 'refund',
        amount: Number(params.amount),
        payment_intent: params.payment_intent,
        status: 'succeeded',
        metadata: metadataOf(params),
      };
      objects.set(refund.id, refund);
      return send(200, refund);
    }
    send(404, {
      error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${path})` },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    objects,
    declineNextCharges: (n) => {
      declines = n;
    },
    signedEvent: (secret, type, object, eventId = id('evt')) => {
      const payload = JSON.stringify({
        id: eventId,
        object: 'event',
        type,
        api_version: '2025-01-01',
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        data: { object },
      });
      const signature = sdk.webhooks.generateTestHeaderString({ payload, secret });
      return { payload, headers: { 'stripe-signature': signature, 'content-type': 'application/json' } };
    },
    completedSession: (sessionId, overrides = {}) => {
      const session = objects.get(sessionId);
      if (!session) throw new Error(`no session ${sessionId}`);
      // Paying the session creates its PaymentIntent (with the card, kept when asked to).
      const intent = {
        id: id('pi'),
        object: 'payment_intent',
        amount: session.amount_total,
        amount_received: session.amount_total,
        currency: session.currency,
        customer: session.customer,
        payment_method: id('pm'),
        metadata: session.payment_intent_metadata,
        status: 'succeeded',
      };
      objects.set(intent.id, intent);
      Object.assign(session, { payment_intent: intent.id, payment_status: 'paid', status: 'complete' });
      return { ...session, ...overrides };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

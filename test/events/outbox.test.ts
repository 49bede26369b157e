import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBilling } from '../../src/billing/run.js';
import { type EventConsumerHandler, EventDispatcher } from '../../src/events/dispatcher.js';
import { recordEvent } from '../../src/events/events.js';
import { newClient, newInvoice } from '../helpers/factories.js';
import { waitFor } from '../helpers/wait.js';
import { type ProvisioningHarness, settle, startProvisioning } from '../provisioning/helpers.js';

describe('domain events are written with the change and handed to each consumer once', () => {
  let h: ProvisioningHarness;
  beforeAll(async () => {
    h = await startProvisioning();
    await h.t.app.settings.set('userapi.rate_limit', 'off');
  });
  afterAll(async () => {
    await h?.close();
  });

  const events = (clientId: string) =>
    h.t.app.db.kysely.selectFrom('events').selectAll().where('client_id', '=', clientId).orderBy('id').execute();

  it('order → paid → provisioned records invoice.issued, invoice.paid and service.active, each once, with a delivery per consumer', async () => {
    const me = await newClient(h.t.app, { credit_minor: 10_000 });
    const placed = await h.t.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: me.basic },
      payload: { product_id: h.productId, billing_cycle: 'monthly', domain: 'events.example' },
    });
    expect(placed.statusCode).toBe(201);
    const { invoice_id, service_id } = placed.json();
    const paid = await h.t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${invoice_id}/payments`,
      headers: { authorization: me.basic },
      payload: {},
    });
    expect(paid.statusCode).toBe(201);
    expect((await settle(h, paid.json().operations[0])).state).toBe('succeeded');
    const rows = await events(me.row.id);
    expect(rows.map((e) => e.type)).toEqual(['invoice.issued', 'invoice.paid', 'service.active']);
    expect(rows[0]).toMatchObject({ invoice_id });
    expect(rows[2]).toMatchObject({ service_id });
    const deliveries = await h.t.app.db.kysely
      .selectFrom('event_deliveries')
      .selectAll()
      .where(
        'event_id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    // One delivery per event for each consumer (mail, webhooks).
    const per = (consumer: string) => deliveries.filter((d) => d.consumer === consumer);
    expect(deliveries).toHaveLength(rows.length * 2);
    for (const consumer of ['mail', 'webhooks']) {
      expect(
        per(consumer)
          .map((d) => [d.event_id, d.state])
          .sort(),
      ).toEqual(rows.map((r) => [r.id, 'pending']).sort());
    }
  });

  it('a payment refused (not enough credit) records no invoice.paid: the event rolls back with the change', async () => {
    const me = await newClient(h.t.app, { credit_minor: 0 });
    const placed = await h.t.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: me.basic },
      payload: { product_id: h.productId, billing_cycle: 'monthly', domain: 'broke.example' },
    });
    const refused = await h.t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${placed.json().invoice_id}/payments`,
      headers: { authorization: me.basic },
      payload: {},
    });
    expect(refused.statusCode).toBe(409);
    expect((await events(me.row.id)).map((e) => e.type)).toEqual(['invoice.issued']);
  });

  it('two dispatchers on two instances hand each event to a consumer exactly once', async () => {
    const twin = await h.t.twin();
    const me = await newClient(h.t.app);
    const ids: string[] = [];
    await h.t.app.db.kysely.transaction().execute(async (trx) => {
      for (let i = 0; i < 60; i++) {
        const id = await recordEvent(trx, h.t.app.clock.nowMs(), {
          type: 'client.created',
          key: `${me.row.id}-${i}`,
          clientId: me.row.id,
        });
        if (id) ids.push(id);
      }
    });
    const seen: string[] = [];
    const consumer: EventConsumerHandler = {
      handle: async (_trx, event) => {
        if (event.client_id === me.row.id) seen.push(event.id);
      },
    };
    const a = new EventDispatcher(h.t.app, { mail: consumer }, { pollMs: 5 });
    const b = new EventDispatcher(twin.app, { mail: consumer }, { pollMs: 5 });
    a.start();
    b.start();
    try {
      await waitFor(() => seen.length >= ids.length, { message: 'every event handled' });
      await waitFor(async () => {
        const left = await h.t.app.db.kysely
          .selectFrom('event_deliveries')
          .select('event_id')
          .where('event_id', 'in', ids)
          .where('consumer', '=', 'mail')
          .where('state', '!=', 'done')
          .execute();
        return left.length === 0;
      });
    } finally {
      await a.stop();
      await b.stop();
    }
    expect([...seen].sort()).toEqual([...ids].sort());
  });

  it('a failing handler is retried with its error recorded, then gives up as failed', async () => {
    const me = await newClient(h.t.app);
    const id = await h.t.app.db.kysely.transaction().execute((trx) =>
      recordEvent(trx, h.t.app.clock.nowMs(), {
        type: 'client.created',
        key: `fail-${me.row.id}`,
        clientId: me.row.id,
      }),
    );
    let calls = 0;
    const d = new EventDispatcher(
      h.t.app,
      {
        mail: {
          maxAttempts: 3,
          handle: async (_trx, event) => {
            if (event.id !== id) return;
            calls += 1;
            throw new Error('template exploded');
          },
        },
      },
      { pollMs: 5, backoffBaseMs: 1 },
    );
    d.start();
    try {
      const row = await waitFor(async () => {
        const r = await h.t.app.db.kysely
          .selectFrom('event_deliveries')
          .selectAll()
          .where('event_id', '=', id!)
          .where('consumer', '=', 'mail')
          .executeTakeFirstOrThrow();
        return r.state === 'failed' ? r : undefined;
      });
      expect(row).toMatchObject({ attempts: 3, last_error: 'template exploded' });
      expect(calls).toBe(3);
    } finally {
      await d.stop();
    }
  });

  it('the billing run records one reminder per threshold before the due date and one overdue event per threshold after', async () => {
    await h.t.app.settings.set('billing.reminder_days_before', '3');
    await h.t.app.settings.set('billing.reminder_days_after', '1,7');
    const me = await newClient(h.t.app);
    const issuedAt = h.t.app.clock.nowMs();
    const invoice = await newInvoice(h.t.app, { clientId: me.row.id, nowMs: issuedAt });
    const day = 86_400_000;
    const kinds = async () =>
      (await events(me.row.id)).map((e) => [
        e.type,
        JSON.parse(e.payload).daysBefore ?? JSON.parse(e.payload).daysOverdue,
      ]);
    // Due in 7 days: nothing yet; at 3 days it reminds; a day later the same threshold is not repeated.
    for (const at of [1, 4, 5]) await runBilling(h.t.app, { atMs: issuedAt + at * day });
    expect(await kinds()).toEqual([['invoice.reminder', 3]]);
    // A day late, then 2 days late (same threshold), then 8 days late (the 7-day one), run twice.
    for (const at of [8, 9, 15, 15]) await runBilling(h.t.app, { atMs: issuedAt + at * day });
    expect(await kinds()).toEqual([
      ['invoice.reminder', 3],
      ['invoice.overdue', 1],
      ['invoice.overdue', 8],
    ]);
    expect((await events(me.row.id)).every((e) => e.invoice_id === invoice.id)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { createTestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient, newProduct, newService } from '../helpers/factories.js';

describe('Admin API: billing runs', { timeout: 120_000 }, () => {
  it('runs billing (dry run first), lists the runs, and names a bad date', async () => {
    const t = await createTestApp();
    await newAdmin(t.app, { email: 'ops@example.com', password: 'admin-password-1' });
    const authorization = basicHeader('ops@example.com', 'admin-password-1');
    const client = await newClient(t.app);
    const product = await newProduct(t.app);
    const service = await newService(t.app, { clientId: client.row.id, productId: product.id });
    const due = Date.parse('2031-05-01T00:00:00Z');
    await t.app.db.kysely
      .updateTable('services')
      .set({ next_due_at_ms: due, billing_anchor_ms: due })
      .where('id', '=', service.id)
      .execute();
    const post = (body: object) =>
      t.inject({ method: 'POST', url: '/admin/api/v1/billing/runs', headers: { authorization }, payload: body });
    const dry = await post({ at: '2031-04-28', dry_run: true });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ dry_run: true, counts: { invoice: 1 }, as_of: '2031-04-28T00:00:00.000Z' });
    const real = await post({ at: '2031-04-28' });
    expect(real.json()).toMatchObject({ dry_run: false, counts: { invoice: 1 } });
    expect(real.json().actions[0]).toMatchObject({
      action: 'invoice',
      subject_id: service.id,
      cause: 'period 2031-05-01',
    });
    expect((await post({ at: '2031-04-28' })).json().counts.invoice).toBe(0);
    const list = await t.inject({ method: 'GET', url: '/admin/api/v1/billing/runs', headers: { authorization } });
    expect(list.json().items.map((r: { status: string }) => r.status)).toEqual(['done', 'done']);
    const bad = await post({ at: 'the day after tomorrow' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ field: 'body.at', message: 'is not an ISO date or time' }]);
  });
});

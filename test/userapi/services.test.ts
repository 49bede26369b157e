import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { newClient, newProduct, newService } from '../helpers/factories.js';

describe('GET /api/v1/services', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });

  it('lists only the caller’s services, newest first, across pages', async () => {
    const me = await newClient(t.app);
    const other = await newClient(t.app);
    const product = await newProduct(t.app);
    const base = Date.now();
    const mine = [];
    for (let i = 0; i < 5; i++)
      mine.push(await newService(t.app, { clientId: me.row.id, productId: product.id, nowMs: base + i }));
    await newService(t.app, { clientId: other.row.id, productId: product.id });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { limit: '2', ...(cursor ? { cursor } : {}) };
      const res = await t.inject({
        method: 'GET',
        url: '/api/v1/services',
        query,
        headers: { authorization: me.basic },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: { id: string }[]; next_cursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((s) => s.id));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(mine.map((s) => s.id).reverse());
  });

  it('filters by status', async () => {
    const me = await newClient(t.app);
    const product = await newProduct(t.app);
    await newService(t.app, { clientId: me.row.id, productId: product.id, status: 'active' });
    const suspended = await newService(t.app, { clientId: me.row.id, productId: product.id, status: 'suspended' });
    const res = await t.inject({
      method: 'GET',
      url: '/api/v1/services?status=suspended',
      headers: { authorization: me.basic },
    });
    expect(res.json().items.map((s: { id: string }) => s.id)).toEqual([suspended.id]);
  });

  it('answers 404 for another client’s service id', async () => {
    const me = await newClient(t.app);
    const other = await newClient(t.app);
    const product = await newProduct(t.app);
    const theirs = await newService(t.app, { clientId: other.row.id, productId: product.id });
    const res = await t.inject({
      method: 'GET',
      url: `/api/v1/services/${theirs.id}`,
      headers: { authorization: me.basic },
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('rejects a bad cursor and an out-of-range limit with the field named', async () => {
    const me = await newClient(t.app);
    const bad = await t.inject({
      method: 'GET',
      url: '/api/v1/services?cursor=zzz',
      headers: { authorization: me.basic },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ field: 'query.cursor', message: expect.any(String) }]);
    const limit = await t.inject({
      method: 'GET',
      url: '/api/v1/services?limit=1000',
      headers: { authorization: me.basic },
    });
    expect(limit.statusCode).toBe(400);
    expect(limit.json().errors[0].field).toBe('query.limit');
  });
});

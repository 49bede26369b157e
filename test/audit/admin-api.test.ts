import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { createTestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient } from '../helpers/factories.js';

const ADMIN = basicHeader('ops@example.com', 'admin-password-1');

describe('Admin API: the audit log', () => {
  it('lists who did what to what, filtered by actor, action prefix, target and time, page by page', async () => {
    // Entries are ordered by id, which sorts by the millisecond: a second apart, the order is certain.
    const clock = new ManualClock(Date.UTC(2026, 4, 1));
    const t = await createTestApp({ clock });
    await newAdmin(t.app, { email: 'ops@example.com', password: 'admin-password-1' });
    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      t.inject({
        method,
        url: `/admin/api/v1${url}`,
        headers: { authorization: ADMIN },
        ...(payload ? { payload } : {}),
      });
    const ann = await newClient(t.app);
    const bob = await newClient(t.app);
    const started = new Date(t.app.clock.nowMs() - 1000).toISOString();
    expect((await call('POST', `/clients/${ann.row.id}/suspend`, { reason: 'Chargeback' })).statusCode).toBe(200);
    expect(
      (await call('POST', `/clients/${bob.row.id}/credit`, { amount_minor: 500, reason: 'Gift' })).statusCode,
    ).toBe(201);
    clock.advance(1000);
    expect((await call('POST', `/clients/${ann.row.id}/unsuspend`)).statusCode).toBe(200);

    const all = (await call('GET', `/audit?since=${encodeURIComponent(started)}`)).json();
    expect(all.items.length).toBeGreaterThanOrEqual(3);
    const onAnn = (await call('GET', `/audit?target_id=${ann.row.id}`)).json();
    expect(onAnn.items.map((e: { action: string }) => e.action)).toEqual([
      expect.stringContaining('unsuspend'),
      expect.stringContaining('suspend'),
    ]);
    expect(onAnn.items[1]).toMatchObject({
      actor: { type: 'admin', email: 'ops@example.com' },
      target: { type: 'client', id: ann.row.id },
    });
    const action = onAnn.items[1].action as string;
    const prefix = action.slice(0, action.indexOf('.') + 1);
    const byPrefix = (await call('GET', `/audit?action=${encodeURIComponent(prefix)}&actor_type=admin`)).json();
    expect(byPrefix.items.every((e: { action: string }) => e.action.startsWith(prefix))).toBe(true);
    expect((await call('GET', `/audit?action=${encodeURIComponent(action)}`)).json().items).toHaveLength(1);
    expect((await call('GET', `/audit?actor_type=system&target_id=${ann.row.id}`)).json().items).toEqual([]);
    expect((await call('GET', '/audit?until=2000-01-01T00:00:00Z')).json().items).toEqual([]);

    const first = (await call('GET', `/audit?target_id=${ann.row.id}&limit=1`)).json();
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = (await call('GET', `/audit?target_id=${ann.row.id}&limit=1&cursor=${first.next_cursor}`)).json();
    expect(second.items[0].id).toBe(onAnn.items[1].id);

    const bad = await call('GET', '/audit?since=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('query.since');
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newClient } from '../helpers/factories.js';
import {
  enqueue,
  type ProvisioningHarness,
  pendingService,
  service,
  settle,
  startProvisioning,
} from '../provisioning/helpers.js';

describe('client hosting routes against the sandbox panel', () => {
  let h: ProvisioningHarness;
  let serviceId: string;
  let username: string;
  const auth = () => ({ authorization: h.client.basic });
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    h.t.inject({
      method,
      url: `/api/v1/services/${serviceId}${url}`,
      headers: auth(),
      ...(payload ? { payload } : {}),
    });
  const finished = async (res: { statusCode: number; json(): { operation_id: string } }) => {
    expect(res.statusCode).toBe(202);
    const job = await settle(h, res.json().operation_id);
    expect(job.state).toBe('succeeded');
    const op = await h.t.inject({
      method: 'GET',
      url: `/api/v1/operations/${res.json().operation_id}`,
      headers: auth(),
    });
    expect(op.json().state).toBe('succeeded');
  };

  beforeAll(async () => {
    h = await startProvisioning();
    await h.t.app.settings.set('userapi.rate_limit', 'off');
    const svc = await pendingService(h, 'hosted.example');
    serviceId = svc.id;
    await settle(h, await enqueue(h, 'create', serviceId));
    username = (await service(h, serviceId)).panel_username!;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('usage reads counts and limits from the panel', async () => {
    const res = await call('GET', '/usage');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      web_domains: 1,
      web_domains_limit: 1,
      dns_domains: 1,
      databases: 0,
      disk_quota_mb: 2048,
      suspended: false,
    });
  });

  it('a hosting read calls the panel under the request’s X-Request-Id, so the call joins the request', async () => {
    const requestId = 'trace-usage-read-0001';
    const res = await h.t.inject({
      method: 'GET',
      url: `/api/v1/services/${serviceId}/usage`,
      headers: { ...auth(), 'x-request-id': requestId },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe(requestId);
    // The panel call is recorded after the answer is read, off the request's path: wait for the row.
    const calls = await vi.waitFor(async () => {
      const rows = await h.t.app.db.kysely
        .selectFrom('panel_calls')
        .select(['command', 'job_id'])
        .where('correlation_id', '=', requestId)
        .execute();
      expect(rows.length).toBeGreaterThan(0);
      return rows;
    });
    expect(calls).toContainEqual({ command: 'v-list-user', job_id: null });
  });

  it('shows the generated panel login once; a new password can then be read once again', async () => {
    const first = await call('GET', '/credentials');
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.json()).toEqual({ username, password: h.panel.state.users[username]!.password });
    expect((await call('GET', '/credentials')).statusCode).toBe(409);
    await finished(await call('POST', '/password', {}));
    const second = await call('GET', '/credentials');
    expect(second.json().password).toBe(h.panel.state.users[username]!.password);
    expect(second.json().password).not.toBe(first.json().password);
  });

  it('a read-only API token cannot use up the one-time panel login', async () => {
    await finished(await call('POST', '/password', {}));
    const { token } = await h.t.app.apiTokens.create(h.client.row.id, { name: 'monitoring', scope: 'read' });
    const refused = await h.t.inject({
      method: 'GET',
      url: `/api/v1/services/${serviceId}/credentials`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().code).toBe('insufficient_scope');
    expect(refused.body).not.toContain(h.panel.state.users[username]!.password);
    // The reveal is still there for a read-write credential.
    const shown = await call('GET', '/credentials');
    expect(shown.statusCode).toBe(200);
    expect(shown.json().password).toBe(h.panel.state.users[username]!.password);
  });

  it('deleting a domain or database the account does not have is a 404, and nothing is queued', async () => {
    const jobs = async () =>
      Number(
        (
          await h.t.app.db.kysely
            .selectFrom('jobs')
            .select((e) => e.fn.countAll().as('n'))
            .where('service_id', '=', serviceId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await jobs();
    for (const url of [
      '/web-domains/absent.example',
      '/dns-domains/absent.example',
      '/mail-domains/absent.example',
      `/databases/${username}_absent`,
    ]) {
      const res = await call('DELETE', url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'not_found' });
      expect(res.json().detail).toMatch(/has no/);
    }
    expect(await jobs()).toBe(before);
  });

  it('adds, lists and removes mail domains through operations', async () => {
    await finished(await call('POST', '/mail-domains', { domain: 'Hosted.Example' }));
    expect((await call('GET', '/mail-domains')).json().items).toEqual([{ domain: 'hosted.example', suspended: false }]);
    await finished(await call('DELETE', '/mail-domains/hosted.example'));
    expect((await call('GET', '/mail-domains')).json().items).toEqual([]);
  });

  it('creates and deletes a database; the password is shown in the creating response only', async () => {
    const created = await call('POST', '/databases', { name: 'shop', user: 'shop' });
    expect(created.json()).toMatchObject({ database: `${username}_shop`, user: `${username}_shop` });
    await finished(created);
    expect((await call('GET', '/databases')).json().items).toEqual([
      { name: `${username}_shop`, user: `${username}_shop`, type: 'mysql' },
    ]);
    await finished(await call('DELETE', `/databases/${username}_shop`));
    expect((await call('GET', '/databases')).json().items).toEqual([]);
  });

  it('a retried database creation gets the same password, which is not kept in clear', async () => {
    const create = () =>
      h.t.inject({
        method: 'POST',
        url: `/api/v1/services/${serviceId}/databases`,
        headers: { ...auth(), 'idempotency-key': 'create-blog-db' },
        payload: { name: 'blog', user: 'blog' },
      });
    const first = await create();
    expect(first.statusCode).toBe(202);
    const replay = await create();
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    const rows = await h.t.app.db.kysely
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('key', '=', 'create-blog-db')
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(first.json().password);
    await finished(first);
    await finished(await call('DELETE', `/databases/${username}_blog`));
  });

  it('a plan limit reached on the panel fails the operation with the panel’s reason', async () => {
    const res = await call('POST', '/web-domains', { domain: 'second.example' });
    const job = await settle(h, res.json().operation_id);
    expect(job).toMatchObject({ state: 'failed', last_error_code: 'E_LIMIT' });
    const op = await h.t.inject({
      method: 'GET',
      url: `/api/v1/operations/${res.json().operation_id}`,
      headers: auth(),
    });
    expect(op.json().error.message).toContain('WEB_DOMAINS limit is reached');
  });

  it('refuses bad input with the field, and other clients’ services with 404', async () => {
    const bad = await call('POST', '/web-domains', { domain: 'not a domain' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.domain');
    const other = await newClient(h.t.app);
    const res = await h.t.inject({
      method: 'GET',
      url: `/api/v1/services/${serviceId}/usage`,
      headers: { authorization: other.basic },
    });
    expect(res.statusCode).toBe(404);
  });

  it('a service without an account yet answers 409 saying so', async () => {
    const pending = await pendingService(h);
    const res = await h.t.inject({ method: 'GET', url: `/api/v1/services/${pending.id}/usage`, headers: auth() });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toContain('no hosting account yet');
  });

  it('cancels at end of period (and withdraws), or immediately (account removed)', async () => {
    const eop = await call('POST', '/cancellation', { type: 'end_of_period', reason: 'moving' });
    expect(eop.statusCode).toBe(202);
    expect(eop.json().operation_id).toBeNull();
    expect(
      (await h.t.inject({ method: 'GET', url: `/api/v1/services/${serviceId}`, headers: auth() })).json().cancellation,
    ).toMatchObject({ type: 'end_of_period', reason: 'moving' });
    expect((await call('DELETE', '/cancellation')).statusCode).toBe(204);
    expect((await call('DELETE', '/cancellation')).statusCode).toBe(409);
    const now = await call('POST', '/cancellation', { type: 'immediate' });
    expect((await settle(h, now.json().operation_id)).state).toBe('succeeded');
    expect((await service(h, serviceId)).status).toBe('terminated');
    expect(h.panel.state.users[username]).toBeUndefined();
  });
});

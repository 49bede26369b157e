import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { newAdmin, newClient, newProduct, newService, type TestClient } from '../helpers/factories.js';

describe('the admin area in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let me: TestClient;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('userapi.rate_limit', 'off');
    await newAdmin(t.app, { email: 'ops@example.com', name: 'Ops', password: 'admin-password-1' });
    me = await newClient(t.app);
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.server.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('while logged out hides the navigation and Log out, and a wrong password shows the server’s message', async () => {
    const own = await browser.newContext();
    const p = await own.newPage();
    await p.goto(`${base}/admin#/routes`);
    await p.getByLabel('Email', { exact: true }).waitFor();
    expect(p.url()).toContain('#/login?next=%23%2Froutes');
    expect(await p.getByRole('navigation').isVisible()).toBe(false);
    expect(await p.getByRole('button', { name: 'Log out' }).isVisible()).toBe(false);
    await p.getByLabel('Email', { exact: true }).fill('ops@example.com');
    await p.getByLabel('Password').fill('not-the-password');
    await p.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => p.getByRole('alert').innerText()).toBe('The admin email or password is wrong.');
    expect(await p.getByRole('button', { name: 'Log out' }).isVisible()).toBe(false);
    await p.getByLabel('Password').fill('admin-password-1');
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('button', { name: 'Log out' }).waitFor({ state: 'visible' });
    expect(await p.getByRole('navigation').isVisible()).toBe(true);
    // Logged in, the page first asked for opens.
    await expect.poll(() => p.locator('tr[data-route]').count()).toBeGreaterThan(5);
    await p.getByRole('button', { name: 'Log out' }).click();
    await p.getByLabel('Email', { exact: true }).waitFor();
    expect(await p.getByRole('navigation').isVisible()).toBe(false);
    await own.close();
  });

  it('logs in', async () => {
    await page.goto(`${base}/admin#/login`);
    await page.getByLabel('Email').fill('ops@example.com');
    await page.getByLabel('Password').fill('admin-password-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Routes' }).click();
    await expect.poll(() => page.locator('tr[data-route]').count(), { timeout: 10_000 }).toBeGreaterThan(5);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'portico_admin');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('disables a route and the docs change', async () => {
    await page.goto(`${base}/admin#/routes`);
    await page.getByLabel('Enable listInvoices').uncheck();
    await expect
      .poll(async () => (await t.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json().paths['/invoices'])
      .toBeUndefined();
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/invoices', headers: { authorization: me.basic } })).statusCode,
    ).toBe(404);
    await page.getByLabel('Enable listInvoices').check();
    await expect
      .poll(async () => (await t.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json().paths['/invoices'])
      .toBeDefined();
  });

  it('adds an alias and the API answers on it', async () => {
    const svc = await newService(t.app, { clientId: me.row.id, productId: (await newProduct(t.app)).id });
    await page.goto(`${base}/admin#/routes`);
    const row = page.locator('tr[data-route="getService"]');
    await row.getByLabel('New alias for getService').fill('/cloud/{id}');
    await row.getByRole('button', { name: 'Add alias' }).click();
    await expect
      .poll(() => page.locator('tr[data-route="getService"] code').allTextContents())
      .toContain('/cloud/{id}');
    const res = await t.inject({ method: 'GET', url: `/api/v1/cloud/${svc.id}`, headers: { authorization: me.basic } });
    expect(res.statusCode).toBe(200);
    expect(res.json().id).toBe(svc.id);
    // Saved unchanged, the alias keeps the route's defaults (and so its operation id from its path).
    await page.getByRole('button', { name: 'Save alias /cloud/{id}' }).click();
    await expect.poll(() => page.locator('#toast').innerText()).toBe('Alias /cloud/{id} saved');
    expect(t.app.routes.alias('/cloud/{id}')).toMatchObject({
      operationId: 'getCloudById',
      own: { name: null, category: null, description: null },
    });
  });

  it('moves GET /services to /cloud: an alias under its own name and category, the original disabled', async () => {
    await newService(t.app, { clientId: me.row.id, productId: (await newProduct(t.app)).id });
    await page.goto(`${base}/admin#/routes`);
    await page.getByLabel('New alias for listServices').fill('/api/v1/cloud');
    await page.locator('tr[data-route="listServices"]').getByRole('button', { name: 'Add alias' }).click();
    const alias = page.locator('tr[data-alias="/cloud"]');
    await alias.waitFor();
    await alias.getByLabel('Name of alias /cloud').fill('List cloud servers');
    await alias.getByLabel('Category of alias /cloud').fill('Cloud');
    await alias.getByLabel('Description of alias /cloud').fill('Your cloud servers.');
    await alias.getByRole('button', { name: 'Save alias /cloud' }).click();
    // Saved, the alias is listed in its own category.
    await page.locator('section[aria-label="Cloud"] tr[data-alias="/cloud"]').waitFor();
    await page.getByLabel('Enable listServices').uncheck();
    await expect
      .poll(async () => (await t.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json().paths['/services'])
      .toBeUndefined();
    const get = (url: string) => t.inject({ method: 'GET', url, headers: { authorization: me.basic } });
    expect((await get('/api/v1/services')).statusCode).toBe(404);
    const viaCloud = await get('/api/v1/cloud');
    expect(viaCloud.statusCode).toBe(200);
    expect(viaCloud.json().items.length).toBeGreaterThan(0);
    const op = (await t.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json().paths['/cloud'].get;
    expect(op).toMatchObject({
      operationId: 'listCloudServers',
      summary: 'List cloud servers',
      tags: ['Cloud'],
      description: 'Your cloud servers.',
    });
    // And back: the alias disabled on its own, the original enabled.
    await page.getByLabel('Enable alias /cloud', { exact: true }).uncheck();
    await page.getByLabel('Enable listServices').check();
    await expect.poll(async () => (await get('/api/v1/cloud')).statusCode).toBe(404);
    await expect.poll(async () => (await get('/api/v1/services')).statusCode).toBe(200);
  });

  it('edits a route’s description', async () => {
    await page.goto(`${base}/admin#/routes`);
    const row = page.locator('tr[data-route="getAccount"]');
    await row.getByLabel('Description of getAccount', { exact: true }).fill('Who you are to us.');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(
        async () =>
          (await t.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json().paths['/account'].get.description,
      )
      .toBe('Who you are to us.');
    await page.reload();
    expect(await page.getByLabel('Description of getAccount', { exact: true }).inputValue()).toBe('Who you are to us.');
  });

  it('turns logging on, finds the API call in the log and opens it; exports CSV', async () => {
    await page.goto(`${base}/admin#/settings/userapi`);
    await page.getByLabel('Request log — enable for debugging').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => t.app.settings.snapshot['userapi.logging']).toBe(true);
    await t.inject({
      method: 'GET',
      url: '/api/v1/account',
      headers: { authorization: me.basic, 'x-request-id': 'browser-trace-1' },
    });
    await t.app.requestLog.flush();
    await page.goto(`${base}/admin#/logs?client_id=${me.row.id}`);
    const row = page.locator('tr.clickable', { hasText: '/api/v1/account' }).first();
    await row.click();
    await expect.poll(() => page.locator('main').innerText()).toContain('browser-trace-1');
    expect(await page.locator('main').innerText()).toContain('Basic [REDACTED]');
    await page.screenshot({ path: '/tmp/portico-admin-entry-test.png', fullPage: true });

    await page.goto(`${base}/admin#/logs`);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(file, 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'id,at,method,route,path,status,duration_ms,ip,client_id,request_id,client_name,client_email',
    );
    expect(csv).toContain('browser-trace-1');
  });

  it('shows who sent each query by name and email; a click on the client, or their email, filters the log', async () => {
    const other = await newClient(t.app, { name: 'Grace Hopper', email: 'grace@navy.example' });
    await t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: other.basic } });
    await t.inject({
      method: 'GET',
      url: '/api/v1/account',
      headers: { authorization: me.basic, 'x-request-id': 'browser-trace-me' },
    });
    await t.app.requestLog.flush();
    // (The page is on #/logs already: a query string makes this a new hash, so the list is read again.)
    await page.goto(`${base}/admin#/logs?limit=50`);
    const grace = page.locator('tr.clickable', { hasText: 'grace@navy.example' }).first();
    expect(await grace.innerText()).toContain('Grace Hopper');
    expect(await grace.innerText()).toContain(other.row.id);
    await grace.getByRole('link', { name: 'Grace Hopper' }).click();
    await expect.poll(() => page.url()).toContain(`client_id=${other.row.id}`);
    await expect
      .poll(async () => new Set(await page.locator('tr.clickable td:last-child').allInnerTexts()).size)
      .toBe(1);
    expect(await page.locator('main').innerText()).not.toContain(me.row.email);

    await page.goto(`${base}/admin#/logs`);
    // The filtered page's form is still shown until the unfiltered list arrives; fill the new one.
    await expect.poll(() => page.getByLabel('Client id').inputValue()).toBe('');
    await page.getByLabel('Client email').fill(me.row.email.toUpperCase());
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('tr.clickable', { hasText: 'grace@navy.example' }).count()).toBe(0);
    const mine = page.locator('tr.clickable').first();
    expect(await mine.innerText()).toContain(me.row.email);
    await mine.click();
    await expect.poll(() => page.locator('main').innerText()).toContain('Request id');
    const client = page.locator('tr', { has: page.getByRole('rowheader', { name: 'Client' }) });
    expect(await client.innerText()).toContain(me.row.email);
    await page.screenshot({ path: '/tmp/portico-admin-log-clients.png', fullPage: true });
  });

  it('logs out: the session cookie no longer opens the Admin API', async () => {
    const own = await browser.newContext();
    const p = await own.newPage();
    await p.goto(`${base}/admin#/login`);
    await p.getByLabel('Email').fill('ops@example.com');
    await p.getByLabel('Password').fill('admin-password-1');
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await p.getByRole('button', { name: 'Log out' }).click();
    await p.waitForSelector('input[type="email"]');
    const status = await p.evaluate(async () => (await fetch('/admin/api/v1/userapi/routes')).status);
    expect(status).toBe(401);
    await own.close();
  });
});

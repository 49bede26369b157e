import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, launchBrowser } from '../helpers/browser.js';
import { newAdmin, newClient, type TestClient } from '../helpers/factories.js';
import { type ProvisioningHarness, startProvisioning } from '../provisioning/helpers.js';

describe('the back office in a real browser', () => {
  let h: ProvisioningHarness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let jane: TestClient;
  const consoleErrors: string[] = [];
  const shots: string[] = [];

  /** Opens a page, waits for its heading, checks it with axe and takes desktop and phone screenshots. */
  async function visit(hash: string, heading: string | RegExp, name: string): Promise<void> {
    await page.goto(`${base}/admin${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    expect(await accessibilityProblems(page), `${hash}: axe-core`).toEqual([]);
    await page.screenshot({ path: `/tmp/portico-bo-${name}-desktop.png`, fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await accessibilityProblems(page), `${hash} at 375 px: axe-core`).toEqual([]);
    // Nothing sticks out sideways at a phone's width: wide tables scroll inside their box.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.screenshot({ path: `/tmp/portico-bo-${name}-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    shots.push(name);
  }

  beforeAll(async () => {
    h = await startProvisioning();
    await h.t.app.settings.set('userapi.rate_limit', 'off');
    await newAdmin(h.t.app, { email: 'ops@example.com', name: 'Ops', password: 'admin-password-1' });
    jane = await newClient(h.t.app, { name: 'Jane Doe', email: 'jane@shop.example' });
    await h.t.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.t.server.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('console', (message) => {
      // The browser also logs each 4xx answer; the pages show those (and the tests check they do).
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text()))
        consoleErrors.push(`${message.text()} (${page.url()})`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${error.message} (${page.url()})`));
    await page.goto(`${base}/admin#/login`);
    await page.getByLabel('Email').fill('ops@example.com');
    await page.getByLabel('Password').fill('admin-password-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  let productId = '';
  it('creates a category and a product (its package checked on the panel) in the catalog', async () => {
    await visit('#/catalog', 'Catalog', 'catalog');
    await page.getByLabel('Category name').fill('Cloud hosting');
    await page.getByRole('button', { name: 'Add category' }).click();
    await page.getByRole('heading', { level: 2, name: 'Cloud hosting' }).waitFor();
    const form = page.getByRole('form', { name: 'New product' });
    await form.getByLabel('Category').selectOption({ label: 'Cloud hosting' });
    await form.getByLabel('Product name').fill('Business');
    await form.getByLabel('Panel package').fill('no-such-package');
    await form.getByLabel('Price').fill('12.50');
    await form.getByRole('button', { name: 'Add product' }).click();
    // The panel has no such package: the server says so, and nothing is saved.
    await expect.poll(() => form.getByRole('alert').innerText()).toContain('panel_package');
    await form.getByLabel('Panel package').fill('pro');
    await form.getByRole('button', { name: 'Add product' }).click();
    const table = page.getByRole('table', { name: 'Products in Cloud hosting' });
    await expect.poll(() => table.innerText()).toContain('Business');
    expect(await table.innerText()).toContain('$12.50 monthly');
    const row = await h.t.app.db.kysely
      .selectFrom('products')
      .select(['id', 'panel_package'])
      .where('name', '=', 'Business')
      .executeTakeFirstOrThrow();
    expect(row.panel_package).toBe('pro');
    productId = row.id;
    await visit('#/catalog', 'Catalog', 'catalog');
  });

  it('finds a client, gives them credit with a reason, and the ledger shows it', async () => {
    await visit('#/clients', 'Clients', 'clients');
    await page.getByLabel('Name or email').fill('SHOP.example');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.url()).toContain('q=SHOP.example');
    await page.getByRole('link', { name: 'Jane Doe' }).click();
    await page.getByRole('heading', { level: 1, name: 'Jane Doe' }).waitFor();
    await page.getByLabel('Amount in USD (negative removes)').fill('50');
    await page.getByLabel('Reason', { exact: true }).fill('Welcome bonus');
    await page.getByRole('button', { name: 'Change credit' }).click();
    await expect.poll(() => page.locator('[data-balance]').innerText()).toBe('$50.00');
    expect(await page.getByRole('table', { name: 'Credit ledger' }).innerText()).toContain('Welcome bonus');
    const balance = await h.t.app.db.kysely
      .selectFrom('clients')
      .select('credit_minor')
      .where('id', '=', jane.row.id)
      .executeTakeFirstOrThrow();
    expect(balance.credit_minor).toBe(5000);
    // Removing more than there is: the server's reason, next to the form.
    await page.getByLabel('Amount in USD (negative removes)').fill('-80');
    await page.getByLabel('Reason', { exact: true }).fill('Too much');
    await page.getByRole('button', { name: 'Change credit' }).click();
    await expect.poll(() => page.locator('#credit-error').innerText()).not.toBe('');
    await visit(`#/clients/${jane.row.id}`, 'Jane Doe', 'client');

    // Suspending a client asks first and takes an optional reason; unsuspending gives access back.
    await page.getByRole('button', { name: 'Suspend client' }).click();
    const dialog = page.getByRole('dialog', { name: 'Suspend Jane Doe?' });
    await dialog.getByLabel('Reason (optional)').fill('Chargeback');
    await dialog.getByRole('button', { name: 'Suspend client' }).click();
    await page.getByRole('button', { name: 'Unsuspend client' }).waitFor();
    const account = () => h.t.inject({ method: 'GET', url: '/api/v1/account', headers: { authorization: jane.basic } });
    expect((await account()).statusCode).toBe(401);
    await page.getByRole('button', { name: 'Unsuspend client' }).click();
    await page
      .getByRole('dialog', { name: 'Unsuspend Jane Doe?' })
      .getByRole('button', { name: 'Unsuspend client' })
      .click();
    // exact: a name match is a substring match otherwise, and "Unsuspend client" contains it.
    await page.getByRole('button', { name: 'Suspend client', exact: true }).waitFor();
    expect((await account()).statusCode).toBe(200);
    // The client's page lists what staff did to them, and (request log off) says why no API calls show.
    const audit = page.locator('table[data-list="client-audit"]');
    await expect.poll(() => audit.innerText()).toContain('client.unsuspend');
    expect(await audit.innerText()).toContain('client.suspend');
    expect(await page.locator('main').innerText()).toContain('No API calls logged for this client');
  });

  it('an order through the User API provisions on the service’s page; suspend asks first, then shows progress', async () => {
    const placed = await h.t.inject({
      method: 'POST',
      url: '/api/v1/orders',
      headers: { authorization: jane.basic },
      payload: { product_id: productId, billing_cycle: 'monthly', domain: 'jane-shop.example' },
    });
    expect(placed.statusCode).toBe(201);
    const { invoice_id, service_id } = placed.json();
    await page.goto(`${base}/admin#/services/${service_id}`);
    await page.getByRole('heading', { level: 1, name: /jane-shop\.example/ }).waitFor();
    expect(await page.locator('main').innerText()).toContain('pending');
    const paid = await h.t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${invoice_id}/payments`,
      headers: { authorization: jane.basic },
      payload: {},
    });
    expect(paid.statusCode).toBe(201);
    expect(paid.json().status).toBe('paid');
    // The page follows the job by itself until the service is active.
    const timeline = page.getByRole('list', { name: 'Job timeline' });
    await expect.poll(() => timeline.locator('[data-state="succeeded"]').count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'Suspend', exact: true }).count()).toBe(1);
    const job = await timeline.locator('li.job').first().innerText();
    expect(job).toContain('service.create');
    expect(job).toContain('create-user');
    expect(job).toMatch(/v-add-user/);
    expect(await page.locator('main').innerText()).toContain('Panel username');
    await visit(`#/services/${service_id}`, /jane-shop\.example/, 'service');

    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Suspend service' });
    await dialog.waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/portico-bo-dialog-desktop.png' });
    // Escape (like Cancel) changes nothing.
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await page.locator('main .badge').first().innerText()).toBe('active');
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await dialog.getByLabel('Reason').fill('Abuse report #42');
    await dialog.getByRole('button', { name: 'Suspend service' }).click();
    await expect.poll(() => page.locator('main .badge').first().innerText(), { timeout: 20_000 }).toBe('suspended');
    expect(await page.locator('main').innerText()).toContain('Abuse report #42');
    const row = await h.t.app.db.kysely
      .selectFrom('services')
      .select(['status', 'suspension_reason'])
      .where('id', '=', service_id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'suspended', suspension_reason: 'Abuse report #42' });
    expect(h.panel.state.users[await panelUser(service_id)]?.suspended).toBe(true);

    // From the keyboard: the dialog opens on Cancel (the safe answer); Tab, Enter confirms.
    await page.getByRole('button', { name: 'Unsuspend', exact: true }).focus();
    await page.keyboard.press('Enter');
    const unsuspend = page.getByRole('dialog', { name: 'Unsuspend service' });
    await unsuspend.waitFor();
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Cancel');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('main .badge').first().innerText(), { timeout: 20_000 }).toBe('active');
    expect(h.panel.state.users[await panelUser(service_id)]?.suspended).toBe(false);
    // Suspended again for the pages that follow.
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await dialog.getByLabel('Reason').fill('Abuse report #42');
    await dialog.getByRole('button', { name: 'Suspend service' }).click();
    await expect.poll(() => page.locator('main .badge').first().innerText(), { timeout: 20_000 }).toBe('suspended');

    await visit(`#/services?q=jane-shop`, 'Services', 'services');
    expect(await page.locator('table[data-list="services"] tbody tr').count()).toBe(1);
  });

  async function panelUser(serviceId: string): Promise<string> {
    const s = await h.t.app.db.kysely
      .selectFrom('services')
      .select('panel_username')
      .where('id', '=', serviceId)
      .executeTakeFirstOrThrow();
    return s.panel_username ?? '';
  }

  it('refunds part of a paid invoice to credit, after asking', async () => {
    const [invoice] = await h.t.app.db.kysely
      .selectFrom('invoices')
      .select(['id', 'number'])
      .where('client_id', '=', jane.row.id)
      .where('status', '=', 'paid')
      .execute();
    await visit('#/invoices?status=paid', 'Invoices', 'invoices');
    await page.getByRole('link', { name: invoice!.number }).click();
    await page.getByRole('heading', { level: 1, name: `Invoice ${invoice!.number}` }).waitFor();
    await visit(`#/invoices/${invoice!.id}`, `Invoice ${invoice!.number}`, 'invoice');
    await page.getByLabel(/Amount to refund/).fill('1.00');
    await page.getByRole('button', { name: 'Refund', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Refund $1.00?' });
    await dialog.getByLabel('Reason').fill('Goodwill');
    await dialog.getByRole('button', { name: 'Refund' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Payments' }).innerText()).toContain('Goodwill');
    const after = await h.t.app.db.kysely
      .selectFrom('invoices')
      .select('refunded_minor')
      .where('id', '=', invoice!.id)
      .executeTakeFirstOrThrow();
    expect(after.refunded_minor).toBe(100);
  });

  it('lists orders and payments beside invoices, filtered on the server, each row linking to its client and invoice', async () => {
    await visit('#/orders', 'Orders', 'orders');
    const orders = page.locator('table[data-list="orders"]');
    expect(await orders.innerText()).toContain('jane-shop.example');
    expect(await orders.innerText()).toContain('Jane Doe');
    await page.getByLabel('Status').selectOption('cancelled');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.url()).toContain('status=cancelled');
    await expect.poll(() => orders.count()).toBe(0);
    await page.getByRole('navigation', { name: 'Billing pages' }).getByRole('link', { name: 'Payments' }).click();
    await page.getByRole('heading', { level: 1, name: 'Payments' }).waitFor();
    await visit('#/payments', 'Payments', 'payments');
    const payments = await page.locator('table[data-list="payments"]').innerText();
    // The order paid from credit and the $1.00 refund just made, newest first.
    expect(payments).toMatch(/refund[\s\S]*−\$1\.00[\s\S]*payment[\s\S]*credit/);
    await page.getByLabel('Kind').selectOption('refund');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.url()).toContain('kind=refund');
    await expect.poll(() => page.locator('table[data-list="payments"] tbody tr').count()).toBe(1);
  });

  it('runs a server’s check and shows the verdicts; lists the queue by state; the audit log shows what was done', async () => {
    await visit('#/servers', 'Servers', 'servers');
    const servers = await page.locator('table[data-list="servers"]').innerText();
    expect(servers).toContain('1 / ');
    await page.getByRole('button', { name: /^Run check on / }).click();
    const verdicts = page.locator('table[data-check]');
    await verdicts.waitFor({ timeout: 20_000 });
    expect(await verdicts.innerText()).toMatch(/passed/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: '/tmp/portico-bo-server-check-desktop.png', fullPage: true });

    await visit('#/jobs?state=succeeded', 'Provisioning queue', 'jobs');
    const jobs = await page.locator('table[data-list="jobs"]').innerText();
    expect(jobs).toContain('service.create');
    expect(jobs).toContain('service.suspend');

    await visit(`#/audit?target_id=${jane.row.id}`, 'Audit log', 'audit');
    expect(await page.locator('table[data-list="audit"]').innerText()).toContain('ops@example.com');
    await page.getByLabel('Who').selectOption('system');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.url()).toContain('actor_type=system');
    await expect.poll(() => page.locator('table[data-list="audit"]').count()).toBe(0);
  });

  it('the dashboard links each figure to its list; every page is free of console errors', async () => {
    await visit('#/', 'Dashboard', 'dashboard');
    const text = await page.locator('main').innerText();
    expect(text).toContain('Monthly recurring revenue');
    expect(text).toContain('Jane Doe');
    await page.getByRole('link', { name: /Overdue invoices/ }).click();
    await expect.poll(() => page.url()).toContain('#/invoices?overdue=true');
    await page.getByRole('heading', { level: 1, name: 'Invoices' }).waitFor();
    for (const [hash, heading, name] of [
      ['#/routes', 'Routes', 'routes'],
      ['#/settings/userapi', 'User API settings', 'settings'],
      ['#/logs', 'API log', 'logs'],
    ] as const)
      await visit(hash, heading, name);
    expect(consoleErrors).toEqual([]);
  });
});

import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxPanel, startSandboxPanel } from '../../src/sandbox/server.js';
import { newAccessKey } from '../../src/sandbox/state.js';
import { credentialsOf } from '../../src/servers/servers.js';
import { accessibilityProblems, launchBrowser } from '../helpers/browser.js';
import { basicHeader, newAdmin, newClient, newInvoice, newService, type TestClient } from '../helpers/factories.js';
import { type FakeStripe, startFakeStripe } from '../helpers/stripe.js';
import {
  enqueue,
  type ProvisioningHarness,
  pendingService,
  service,
  settle,
  startProvisioning,
} from '../provisioning/helpers.js';

const WEBHOOK_SECRET = 'whsec_test_back_office';

describe('the back office’s actions in a real browser', () => {
  let h: ProvisioningHarness;
  let stripe: FakeStripe;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let jane: TestClient;
  let adminAuth: string;
  const consoleErrors: string[] = [];
  const db = () => h.t.app.db.kysely;

  /** Checks the page as it is now with axe and takes desktop and phone screenshots. */
  async function check(name: string, label: string): Promise<void> {
    expect(await accessibilityProblems(page), `${label}: axe-core`).toEqual([]);
    await page.screenshot({ path: `/tmp/portico-bo2-${name}-desktop.png`, fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await accessibilityProblems(page), `${label} at 375 px: axe-core`).toEqual([]);
    // Nothing sticks out sideways at a phone's width: wide tables scroll inside their box.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.screenshot({ path: `/tmp/portico-bo2-${name}-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  /** Opens a page, waits for its heading, then checks and screenshots it. */
  async function visit(hash: string, heading: string | RegExp, name: string): Promise<void> {
    await page.goto(`${base}/admin${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    await check(name, hash);
  }

  beforeAll(async () => {
    stripe = await startFakeStripe();
    h = await startProvisioning({
      env: { PORTICO_STRIPE_API_BASE: stripe.url, PORTICO_PUBLIC_URL: 'https://portal.example.test/' },
    });
    const settings = h.t.app.settings;
    await settings.set('userapi.rate_limit', 'off');
    await settings.set('payments.bank_transfer', 'on');
    await settings.set('payments.bank_details', 'Example Hosting Ltd\nIBAN DE89 3704 0044 0532 0130 00');
    await settings.set('payments.stripe', 'on');
    await settings.set('payments.stripe_secret_key', 'sk_test_back_office');
    await settings.set('payments.stripe_webhook_secret', WEBHOOK_SECRET);
    await newAdmin(h.t.app, { email: 'ops@example.com', name: 'Ops', password: 'admin-password-1' });
    adminAuth = basicHeader('ops@example.com', 'admin-password-1');
    jane = await newClient(h.t.app, { name: 'Jane Doe', email: 'jane@shop.example' });
    await h.t.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.t.server.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
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
  const panels: SandboxPanel[] = [];
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await stripe?.close();
    for (const p of panels) await p.close();
  });

  const invoiceRow = (id: string) =>
    db().selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const numberOf = async (id: string) => (await invoiceRow(id)).number;

  it('records a bank transfer in two parts with its day and reference; too much is refused beside the form', async () => {
    const { id } = await newInvoice(h.t.app, {
      clientId: jane.row.id,
      totalMinor: 2000,
      nowMs: Date.now() - 3 * 86_400_000,
    });
    const number = await numberOf(id);
    await visit(`#/invoices/${id}`, `Invoice ${number}`, 'invoice-unpaid');
    const form = page.getByRole('form', { name: 'Record a bank transfer' });
    // Prefilled with what is due and the reference clients quote (the invoice number).
    expect(await form.getByLabel('Amount received in USD').inputValue()).toBe('20.00');
    expect(await form.getByLabel('Transfer reference').inputValue()).toBe(number);

    await form.getByLabel('Amount received in USD').fill('25.00');
    await form.getByRole('button', { name: 'Record transfer' }).click();
    await page
      .getByRole('dialog', { name: 'Record $25.00 received?' })
      .getByRole('button', { name: 'Record transfer' })
      .click();
    // The server refuses (more than is due), and its reason appears next to the form.
    await expect.poll(() => page.locator('#transfer-error').innerText()).toContain('20.00 USD');
    expect(await page.locator('#transfer-error').innerText()).toContain('amount_minor');
    expect(await db().selectFrom('payments').selectAll().where('invoice_id', '=', id).execute()).toEqual([]);
    await check('invoice-transfer-error', 'transfer refused');

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await form.getByLabel('Amount received in USD').fill('5.00');
    await form.getByLabel('Received on').fill(yesterday);
    await form.getByLabel('Transfer reference').fill('BANK-0001');
    await form.getByRole('button', { name: 'Record transfer' }).click();
    const dialog = page.getByRole('dialog', { name: 'Record $5.00 received?' });
    expect(await dialog.innerText()).toContain('$15.00 stays due');
    // Cancel changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect((await invoiceRow(id)).paid_minor).toBe(0);
    await form.getByRole('button', { name: 'Record transfer' }).click();
    await dialog.getByRole('button', { name: 'Record transfer' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Payments' }).innerText()).toContain('BANK-0001');
    expect(await invoiceRow(id)).toMatchObject({ status: 'unpaid', paid_minor: 500 });
    const [first] = await db().selectFrom('payments').selectAll().where('invoice_id', '=', id).execute();
    expect(first).toMatchObject({ method: 'bank_transfer', amount_minor: 500, reference: 'BANK-0001' });
    expect(new Date(first!.at_ms).toISOString().slice(0, 10)).toBe(yesterday);

    // The rest, from the keyboard: the amount is prefilled with what is left.
    await expect.poll(() => form.getByLabel('Amount received in USD').inputValue()).toBe('15.00');
    await form.getByLabel('Transfer reference').fill('BANK-0002');
    await form.getByLabel('Transfer reference').press('Enter');
    await page.getByRole('dialog', { name: 'Record $15.00 received?' }).waitFor();
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Cancel');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await invoiceRow(id)).status).toBe('paid');
    await expect.poll(() => page.locator('main .badge').first().innerText()).toBe('paid');
    expect((await invoiceRow(id)).paid_minor).toBe(2000);
  });

  it('marks an invoice paid and voids another, each after asking', async () => {
    const paid = await newInvoice(h.t.app, { clientId: jane.row.id, totalMinor: 700 });
    await visit(`#/invoices/${paid.id}`, `Invoice ${await numberOf(paid.id)}`, 'invoice-mark-paid');
    await page.getByRole('button', { name: 'Mark paid' }).click();
    await page
      .getByRole('dialog', { name: /^Mark .* paid\?$/ })
      .getByRole('button', { name: 'Mark paid' })
      .click();
    await expect.poll(async () => (await invoiceRow(paid.id)).status).toBe('paid');
    await expect.poll(() => page.getByRole('table', { name: 'Payments' }).innerText()).toContain('admin');

    const voided = await newInvoice(h.t.app, { clientId: jane.row.id, totalMinor: 900 });
    await page.goto(`${base}/admin#/invoices/${voided.id}`);
    await page.getByRole('button', { name: 'Void' }).click();
    const dialog = page.getByRole('dialog', { name: /^Void / });
    await dialog.getByLabel('Reason').fill('Issued twice');
    await check('invoice-void-dialog', 'void dialog');
    await dialog.getByRole('button', { name: 'Void invoice' }).click();
    await expect.poll(async () => (await invoiceRow(voided.id)).status).toBe('cancelled');
    await expect.poll(() => page.locator('main').innerText()).toContain('Issued twice');
    expect((await invoiceRow(voided.id)).cancel_reason).toBe('Issued twice');
    // A voided invoice takes no payment: the page no longer offers one.
    expect(await page.getByRole('form', { name: 'Record a bank transfer' }).count()).toBe(0);
  });

  it('refunds part of a card payment back through Stripe, and refuses more than is left beside the form', async () => {
    const { id } = await newInvoice(h.t.app, { clientId: jane.row.id, totalMinor: 1000 });
    const started = await h.t.inject({
      method: 'POST',
      url: `/api/v1/invoices/${id}/payments`,
      headers: { authorization: jane.basic },
      payload: { method: 'stripe' },
    });
    expect(started.statusCode).toBe(201);
    const sessionId = started.json().checkout_url.split('/').pop() as string;
    const event = stripe.signedEvent(WEBHOOK_SECRET, 'checkout.session.completed', stripe.completedSession(sessionId));
    const delivered = await h.t.inject({
      method: 'POST',
      url: '/payments/stripe/webhook',
      headers: event.headers,
      payload: event.payload,
    });
    expect(delivered.statusCode).toBe(200);
    expect((await invoiceRow(id)).status).toBe('paid');

    await visit(`#/invoices/${id}`, `Invoice ${await numberOf(id)}`, 'invoice-stripe');
    const form = page.getByRole('form', { name: 'Refund' });
    expect(await form.getByLabel('Refund to').inputValue()).toBe('stripe');
    await form.getByLabel(/Amount to refund/).fill('30.00');
    await form.getByRole('button', { name: 'Refund', exact: true }).click();
    let dialog = page.getByRole('dialog', { name: 'Refund $30.00?' });
    await dialog.getByLabel('Reason').fill('Goodwill');
    await dialog.getByRole('button', { name: 'Refund' }).click();
    await expect.poll(() => page.locator('#refund-error').innerText()).toContain('10.00 USD');
    expect(stripe.requests.filter((r) => r.path === '/v1/refunds')).toEqual([]);

    await form.getByLabel(/Amount to refund/).fill('3.00');
    await form.getByRole('button', { name: 'Refund', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'Refund $3.00?' });
    expect(await dialog.innerText()).toContain('through Stripe');
    await dialog.getByLabel('Reason').fill('Goodwill');
    await dialog.getByRole('button', { name: 'Refund' }).click();
    await expect.poll(async () => (await invoiceRow(id)).refunded_minor).toBe(300);
    const sent = stripe.requests.filter((r) => r.path === '/v1/refunds');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.params.amount).toBe('300');
    await expect.poll(() => page.getByRole('table', { name: 'Payments' }).innerText()).toContain('Goodwill');
    // The card refund left the client's credit alone.
    expect(
      (await db().selectFrom('clients').select('credit_minor').where('id', '=', jane.row.id).executeTakeFirstOrThrow())
        .credit_minor,
    ).toBe(0);
    await check('invoice-refunded', 'after the refund');
  });

  it('adds a server with a pinned certificate, checks it, rotates its key, changes its TLS, pauses and resumes it', async () => {
    const panel = await startSandboxPanel();
    panels.push(panel);
    const serverRow = () => db().selectFrom('servers').selectAll().where('name', '=', 'web2').executeTakeFirstOrThrow();
    await visit('#/servers', 'Servers', 'servers');
    const form = page.getByRole('form', { name: 'Add a server' });
    await form.getByLabel('Name').fill('web2');
    await form.getByLabel('Host').fill(panel.host);
    await form.getByLabel('Port').fill(String(panel.port));
    await form.getByLabel('Access key id').fill(panel.accessKey.id);
    await form.getByLabel('Access key secret').fill('too-short');
    await form.getByLabel('TLS trust', { exact: true }).selectOption('pin');
    await form.getByLabel('SHA-256 fingerprint').fill(panel.fingerprintSha256);
    await form.getByLabel('Group').fill('eu');
    await form.getByLabel('Capacity (accounts)').fill('5');
    await form.getByRole('button', { name: 'Add server' }).click();
    // The server names the field it refused; nothing is saved.
    await expect.poll(() => page.locator('#add-server-error').innerText()).toContain('access_key');
    expect(await db().selectFrom('servers').select('id').where('name', '=', 'web2').execute()).toEqual([]);
    await check('servers-add-error', 'add refused');

    await form.getByLabel('Access key secret').fill(panel.accessKey.secret);
    await form.getByRole('button', { name: 'Add server' }).click();
    await page.getByRole('heading', { level: 1, name: 'Server web2' }).waitFor();
    expect(await serverRow()).toMatchObject({
      host: panel.host,
      port: panel.port,
      server_group: 'eu',
      capacity: 5,
      tls_mode: 'pin',
      paused_reason: null,
    });
    expect(credentialsOf(h.t.app, await serverRow())).toEqual({ kind: 'access_key', ...panel.accessKey });
    // The secret is write-only: neither the page nor the Admin API shows it back.
    expect(await page.content()).not.toContain(panel.accessKey.secret);
    expect(await page.evaluate(() => fetch('/admin/api/v1/servers').then((r) => r.text()))).not.toContain(
      panel.accessKey.secret,
    );

    await page.getByRole('button', { name: 'Run check' }).click();
    const verdicts = page.locator('table[data-check="web2"]');
    await verdicts.waitFor({ timeout: 20_000 });
    expect(await verdicts.innerText()).toContain('passed');
    expect(await verdicts.innerText()).not.toContain('failed');
    await check('server', 'the server page with its check');

    // Rotating the key: the new one is sealed in place of the old, and checked against the panel.
    const rotated = newAccessKey(panel.rootUser);
    panel.state.keys.push(rotated);
    const change = page.getByRole('form', { name: 'Change the server' });
    await change.getByLabel('New access key id').fill(rotated.id);
    await change.getByLabel('New access key secret').fill(rotated.secret);
    await change.getByRole('button', { name: 'Save changes' }).click();
    await page
      .getByRole('dialog', { name: 'Change how Portico reaches web2?' })
      .getByRole('button', { name: 'Save changes' })
      .click();
    await page.locator('[data-access-check="passed"]').waitFor();
    expect(credentialsOf(h.t.app, await serverRow())).toEqual({
      kind: 'access_key',
      id: rotated.id,
      secret: rotated.secret,
    });
    expect(await page.content()).not.toContain(rotated.secret);

    // Trusting the system's authorities instead of the pin: the panel's self-signed certificate fails, and the page says so.
    await change.getByLabel('TLS trust', { exact: true }).selectOption('system');
    await change.getByRole('button', { name: 'Save changes' }).click();
    await page
      .getByRole('dialog', { name: 'Change how Portico reaches web2?' })
      .getByRole('button', { name: 'Save changes' })
      .click();
    await page.locator('[data-access-check="failed"]').waitFor({ timeout: 20_000 });
    expect((await serverRow()).tls_mode).toBe('system');
    await check('server-tls-failed', 'after a failing TLS change');
    await change.getByLabel('TLS trust', { exact: true }).selectOption('pin');
    await change.getByLabel('SHA-256 fingerprint').fill(panel.fingerprintSha256);
    await change.getByRole('button', { name: 'Save changes' }).click();
    await page
      .getByRole('dialog', { name: 'Change how Portico reaches web2?' })
      .getByRole('button', { name: 'Save changes' })
      .click();
    await page.locator('[data-access-check="passed"]').waitFor({ timeout: 20_000 });
    expect((await serverRow()).tls_mode).toBe('pin');

    // Pausing asks for a reason; its jobs wait until it is resumed.
    await page.getByRole('button', { name: 'Pause server' }).click();
    const pause = page.getByRole('dialog', { name: 'Pause web2?' });
    await pause.getByLabel('Reason').fill('Panel upgrade');
    await pause.getByRole('button', { name: 'Pause server' }).click();
    await page.getByRole('button', { name: 'Resume server' }).waitFor();
    expect((await serverRow()).paused_reason).toBe('Paused by an admin: Panel upgrade');
    expect(await page.locator('main').innerText()).toContain('Panel upgrade');
    await check('server-paused', 'a paused server');
    await page.getByRole('button', { name: 'Resume server' }).click();
    await page.getByRole('dialog', { name: 'Resume web2?' }).getByRole('button', { name: 'Resume server' }).click();
    await page.getByRole('button', { name: 'Pause server' }).waitFor();
    expect((await serverRow()).paused_reason).toBeNull();
  });

  it('edits a client’s profile; a taken email is refused beside the form, an emptied field is cleared', async () => {
    await newClient(h.t.app, { name: 'Other', email: 'taken@shop.example' });
    const ann = await newClient(h.t.app, { name: 'Ann Example', email: 'ann@shop.example' });
    const row = () => db().selectFrom('clients').selectAll().where('id', '=', ann.row.id).executeTakeFirstOrThrow();
    await page.goto(`${base}/admin#/clients/${ann.row.id}`);
    await page.getByRole('heading', { level: 1, name: 'Ann Example' }).waitFor();
    // From the keyboard: the summary opens the form.
    await page.locator('summary', { hasText: 'Edit profile' }).focus();
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: 'Edit profile' });
    await form.waitFor();
    await check('client-edit', 'the profile form');
    await form.getByLabel('Email').fill('taken@shop.example');
    await form.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => page.locator('#profile-error').innerText()).toContain('taken@shop.example');
    expect((await row()).email).toBe('ann@shop.example');

    await form.getByLabel('Name').fill('Ann Smith');
    await form.getByLabel('Email').fill('ann.smith@shop.example');
    await form.getByLabel('Company').fill('Smith GmbH');
    await form.getByLabel('Phone').fill('+49 30 1234567');
    await form.getByLabel(/^Country/).fill('de');
    await form.getByLabel('Address').fill('Hauptstr. 1\n10115 Berlin');
    await form.getByLabel('Tax id').fill('DE123456789');
    await form.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ann Smith' }).waitFor();
    expect(await row()).toMatchObject({
      name: 'Ann Smith',
      email: 'ann.smith@shop.example',
      company: 'Smith GmbH',
      phone: '+49 30 1234567',
      country: 'DE',
      address: 'Hauptstr. 1\n10115 Berlin',
      tax_id: 'DE123456789',
    });
    expect(await page.locator('dl.facts').innerText()).toContain('Smith GmbH');

    await page.locator('summary', { hasText: 'Edit profile' }).click();
    await form.getByLabel('Company').fill('');
    await form.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(async () => (await row()).company).toBeNull();
    expect((await row()).tax_id).toBe('DE123456789');
    await visit(`#/clients/${ann.row.id}`, 'Ann Smith', 'client');
  });

  it('changes a service’s recurring price and due date after asking; a negative price is refused beside the form', async () => {
    const { id } = await newService(h.t.app, {
      clientId: jane.row.id,
      productId: h.productId,
      domain: 'price.example',
    });
    const row = () => db().selectFrom('services').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    await visit(`#/services/${id}`, /price\.example/, 'service-price');
    const form = page.getByRole('form', { name: 'Change price' });
    expect(await form.getByLabel(/^Recurring price in USD/).inputValue()).toBe('4.99');
    await form.getByLabel(/^Recurring price in USD/).fill('-1');
    await form.getByRole('button', { name: 'Save price' }).click();
    await page
      .getByRole('dialog', { name: 'Change the service’s billing?' })
      .getByRole('button', { name: 'Save price' })
      .click();
    await expect.poll(() => page.locator('#price-error').innerText()).toContain('amount_minor');
    expect((await row()).amount_minor).toBe(499);

    const nextDue = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    await form.getByLabel(/^Recurring price in USD/).fill('7.50');
    await form.getByLabel('Next due').fill(nextDue);
    await form.getByRole('button', { name: 'Save price' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change the service’s billing?' });
    expect(await dialog.innerText()).toContain('$7.50 monthly instead of $4.99');
    await dialog.getByRole('button', { name: 'Save price' }).click();
    await expect.poll(async () => (await row()).amount_minor).toBe(750);
    expect(new Date((await row()).next_due_at_ms!).toISOString().slice(0, 10)).toBe(nextDue);
    await expect.poll(() => page.locator('dl.facts').innerText()).toContain('$7.50 monthly');
  });

  it('removes the account a failed creation left on the panel, after asking', async () => {
    h.panel.faults.add({ kind: 'exit', code: 3, command: 'v-add-dns-domain' });
    h.panel.faults.add({ kind: 'exit', code: 20, command: 'v-delete-user', times: Number.POSITIVE_INFINITY });
    const { id, domain } = await pendingService(h);
    expect((await settle(h, await enqueue(h, 'create', id))).state).toBe('failed');
    h.panel.faults.clear();
    const username = (await service(h, id)).panel_username!;
    expect(h.panel.state.users[username]).toBeDefined();

    await visit(`#/services/${id}`, new RegExp(domain.replace('.', '\\.')), 'service-left-over');
    const card = page.getByRole('region', { name: 'A failed creation left an account on the panel' });
    expect(await card.innerText()).toContain(`panel user ${username}`);
    // Only the clean-up is offered, not a second, vaguer terminate.
    expect(await page.getByRole('button', { name: 'Terminate', exact: true }).count()).toBe(0);
    await card.getByRole('button', { name: 'Remove the left-over account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove the left-over account?' });
    expect(await dialog.innerText()).toContain(username);
    await dialog.getByRole('button', { name: 'Remove account' }).click();
    await expect.poll(() => page.locator('main .badge').first().innerText(), { timeout: 20_000 }).toBe('terminated');
    expect(h.panel.state.users[username]).toBeUndefined();
    expect((await service(h, id)).status).toBe('terminated');
  });

  it('flags a product whose panel package went missing on a server of its group, in the list and on its page', async () => {
    const category = await h.t.inject({
      method: 'POST',
      url: '/admin/api/v1/catalog/categories',
      headers: { authorization: adminAuth },
      payload: { name: 'Reseller' },
    });
    const created = await h.t.inject({
      method: 'POST',
      url: '/admin/api/v1/catalog/products',
      headers: { authorization: adminAuth },
      payload: {
        category_id: category.json().id,
        name: 'Reseller Pro',
        panel_package: 'pro',
        prices: [{ billing_cycle: 'monthly', currency: 'USD', amount_minor: 2500 }],
      },
    });
    expect(created.statusCode).toBe(201);
    const productId = created.json().product.id as string;
    // Someone deletes the package on the panel after the product was saved.
    delete h.panel.state.packages.pro;

    await page.goto(`${base}/admin#/catalog`);
    await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
    const flag = page.locator(`table tr:has(a[href="#/catalog/products/${productId}"]) [data-package-status]`);
    await expect.poll(() => flag.getAttribute('data-package-status')).toBe('missing');
    const starter = page.locator(`table tr:has(a[href="#/catalog/products/${h.productId}"]) [data-package-status]`);
    expect(await starter.getAttribute('data-package-status')).toBe('confirmed');
    const summary = await page.locator('.package-summary').innerText();
    expect(summary).toContain('1 product cannot be provisioned');
    expect(summary).toContain('Reseller Pro');
    expect(summary).toContain('lacks it');
    await check('catalog-flagged', 'the catalog with a flagged product');

    await page.getByRole('link', { name: 'Reseller Pro' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Reseller Pro' }).waitFor();
    await page.locator('[data-package-status="missing"]').waitFor();
    expect(await page.locator('main').innerText()).toContain('create it there in HestiaCP');
    await check('product', 'the product page');

    // Once the package is back on the panel, the flag goes.
    h.panel.state.packages.pro = { ...h.panel.state.packages.starter! };
    await page.reload();
    await page.locator('[data-package-status="confirmed"]').waitFor();
  });

  it('every page is free of console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});

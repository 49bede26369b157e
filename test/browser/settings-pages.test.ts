import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { accessibilityProblems, launchBrowser } from '../helpers/browser.js';
import { newAdmin } from '../helpers/factories.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

const STRIPE_KEY = 'sk_test_51BrowserSECRETkey000111';
const WEBHOOK_SECRET = 'whsec_BrowserSECRETwebhook222';
const SMTP_PASSWORD = 'right-SMTP-password';

describe('the Settings pages in a real browser', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const consoleErrors: string[] = [];
  /** Every Admin API answer the browser got: no secret may be in any of them. */
  const answers: string[] = [];

  /** Opens a page, waits for its heading, checks it with axe and takes desktop and phone screenshots. */
  async function visit(hash: string, heading: string, name: string): Promise<void> {
    await page.goto(`${base}/admin${hash}`);
    await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
    await check(hash, name);
  }
  async function check(hash: string, name: string): Promise<void> {
    expect(await accessibilityProblems(page), `${hash}: axe-core`).toEqual([]);
    await page.screenshot({ path: `/tmp/portico-settings-${name}-desktop.png`, fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await accessibilityProblems(page), `${hash} at 375 px: axe-core`).toEqual([]);
    // Nothing sticks out sideways at a phone's width.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.screenshot({ path: `/tmp/portico-settings-${name}-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  }
  const toast = () => page.locator('#toast').innerText();
  /**
   * Saves the form. The last toast is emptied first: the page announces a save only after it has
   * read the settings again and redrawn itself, so waiting for the new toast waits for the redraw
   * (an earlier save's toast would otherwise let the test act on the page being replaced).
   */
  const save = async () => {
    await page.evaluate("document.querySelector('#toast').textContent = ''");
    await page.getByRole('button', { name: 'Save settings' }).click();
  };

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('userapi.rate_limit', 'off');
    await newAdmin(t.app, { email: 'owner@example.com', name: 'Owner', password: 'admin-password-1' });
    smtp = await startSmtp({ auth: { user: 'portico', pass: SMTP_PASSWORD } });
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.server.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('console', (message) => {
      // The browser also logs each 4xx/5xx answer; the pages show those (and the tests check they do).
      if (message.type() === 'error' && !/status of [45]\d\d/.test(message.text()))
        consoleErrors.push(`${message.text()} (${page.url()})`);
    });
    page.on('pageerror', (error) => consoleErrors.push(`${error.message} (${page.url()})`));
    page.on('response', async (response) => {
      if (response.url().includes('/admin/api/v1/')) answers.push(await response.text().catch(() => ''));
    });
    await page.goto(`${base}/admin#/login`);
    await page.getByLabel('Email').fill('owner@example.com');
    await page.getByLabel('Password').fill('admin-password-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
  });

  it('billing automation: shows each setting with its help text, the server’s reason next to a bad value, saves a good one', async () => {
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Billing automation' }).waitFor();
    expect(
      await page.getByRole('navigation', { name: 'Settings pages' }).locator('[aria-current="page"]').innerText(),
    ).toBe('Billing automation');
    await check('#/settings/billing', 'billing');
    expect(await page.getByLabel('Issue renewal invoices (days before due)').inputValue()).toBe('7');
    expect(await page.getByLabel('Invoice number format').inputValue()).toBe('INV-{YYYY}-{seq:5}');
    const suspend = page.getByLabel('Suspend after (days overdue)');
    expect(await suspend.inputValue()).toBe('3');
    expect(await page.locator('#hint-billing-suspend_after_days').innerText()).toContain('suspended');

    await suspend.fill('soon');
    await page.getByLabel('Terminate after (days overdue)').fill('45');
    await save();
    await expect
      .poll(() => page.locator('#err-billing-suspend_after_days').innerText())
      .toContain('must be a whole number of days from 0 to 3650 or "off"');
    expect(await suspend.getAttribute('aria-invalid')).toBe('true');
    // With one value wrong nothing is saved.
    expect(t.app.settings.snapshot['billing.terminate_after_days']).toBe(30);
    await page.screenshot({ path: '/tmp/portico-settings-billing-error-desktop.png', fullPage: true });

    await suspend.fill('5');
    await save();
    await expect.poll(toast).toContain('Settings saved');
    expect(t.app.settings.snapshot['billing.suspend_after_days']).toBe(5);
    expect(t.app.settings.snapshot['billing.terminate_after_days']).toBe(45);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Billing automation' }).waitFor();
    expect(await page.getByLabel('Suspend after (days overdue)').inputValue()).toBe('5');
    expect(await page.locator('#err-billing-suspend_after_days').innerText()).toBe('');
  });

  it('payments: switches methods, keeps bank details, and takes the Stripe keys without ever showing them', async () => {
    await visit('#/settings/payments', 'Payment settings', 'payments');
    expect(await page.locator('main').innerText()).toContain(`${base}/payments/stripe/webhook`);
    // Card payments need the key first: the server says so next to the switch.
    await page.getByLabel('Card (Stripe)').check();
    await save();
    await expect.poll(() => page.locator('#err-payments-stripe').innerText()).toContain('payments.stripe_secret_key');
    expect(t.app.settings.snapshot['payments.stripe']).toBe(false);

    await page.getByLabel('Bank transfer', { exact: true }).check();
    await page
      .getByLabel('Bank details shown on invoices')
      .fill('Example Hosting Ltd\nIBAN DE89 3704 0044 0532 0130 00');
    await page.getByLabel('Stripe secret key').fill(STRIPE_KEY);
    await page.getByLabel('Webhook signing secret').fill(WEBHOOK_SECRET);
    await save();
    await expect.poll(toast).toContain('Settings saved');
    expect(t.app.settings.snapshot['payments.stripe']).toBe(true);
    expect(t.app.settings.snapshot['payments.bank_transfer']).toBe(true);
    expect(t.app.settings.snapshot['payments.bank_details']).toContain('IBAN DE89');

    // After saving, the page says the keys are set and holds neither.
    const keyState = page.locator('#state-payments-stripe_secret_key');
    await expect.poll(() => keyState.innerText()).toContain('set');
    expect(await page.getByLabel('Stripe secret key (replace)').inputValue()).toBe('');
    expect(await page.getByLabel('Webhook signing secret (replace)').inputValue()).toBe('');
    expect(await page.getByLabel('Bank details shown on invoices').inputValue()).toContain('IBAN DE89');
    const html = await page.content();
    expect(html).not.toContain(STRIPE_KEY);
    expect(html).not.toContain(WEBHOOK_SECRET);
    await check('#/settings/payments', 'payments-saved');

    // Removing the webhook secret asks first.
    await page.getByRole('button', { name: 'Remove the payments.stripe_webhook_secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.locator('#state-payments-stripe_webhook_secret').innerText()).toContain('not set');
    expect(t.app.settings.snapshot['payments.stripe_webhook_secret']).toBe('');
  });

  it('branding: the company’s name is saved and used in the email preview', async () => {
    await visit('#/settings/branding', 'Branding', 'branding');
    await page.getByLabel('Company name').fill('Example Hosting');
    await page.getByLabel('Postal address').fill('1 Example Street\n12345 Example City');
    await page.getByLabel('Email logo URL').fill('not a url');
    await save();
    await expect.poll(() => page.locator('#err-email-logo_url').innerText()).toContain('must be an http(s) URL');
    await page.getByLabel('Email logo URL').fill('');
    await save();
    await expect.poll(toast).toContain('Settings saved');
    expect(t.app.settings.snapshot['company.name']).toBe('Example Hosting');
    expect(t.app.settings.snapshot['company.address']).toBe('1 Example Street\n12345 Example City');
  });

  it('email: saves the SMTP server without showing its password back, and sends a test message through it', async () => {
    await visit('#/settings/email', 'Email settings', 'email');
    await page.getByLabel('SMTP server URL').fill(`smtp://portico:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`);
    await page.getByLabel('From address').fill('Example Hosting <billing@example.com>');
    await save();
    await expect.poll(toast).toContain('Settings saved');
    await expect
      .poll(() => page.locator('#state-email-smtp_url').innerText())
      .toContain(`smtp://portico@127.0.0.1:${smtp.port} (password hidden)`);
    expect(await page.getByLabel('SMTP server URL (replace)').inputValue()).toBe('');
    expect(await page.content()).not.toContain(SMTP_PASSWORD);

    const test = page.getByRole('form', { name: 'Test message' });
    await test.getByLabel('Send to').fill('owner@example.com');
    await test.getByRole('button', { name: 'Send a test message' }).click();
    await expect.poll(() => page.locator('#test-result').innerText()).toContain('Sent to owner@example.com');
    expect(await page.locator('#test-result').innerText()).toContain('250');
    expect(smtp.to('owner@example.com')).toHaveLength(1);
    expect(smtp.to('owner@example.com')[0]!.parsed.subject).toBe('Test message from Example Hosting');
    await check('#/settings/email', 'email-sent');

    // A wrong password: the mail server's refusal is shown, nothing is sent.
    await page.getByLabel('SMTP server URL (replace)').fill(`smtp://portico:wrong@127.0.0.1:${smtp.port}`);
    await save();
    await expect.poll(toast).toContain('Settings saved');
    await test.getByLabel('Send to').fill('owner@example.com');
    await test.getByRole('button', { name: 'Send a test message' }).click();
    await expect.poll(() => page.locator('#test-result').innerText()).toContain('535');
    expect(await page.locator('#test-result').innerText()).toContain('Invalid username or password');
    expect(smtp.received).toHaveLength(1);
    await page.screenshot({ path: '/tmp/portico-settings-email-refused-desktop.png', fullPage: true });
  });

  it('email templates: previews with sample data, refuses an unknown placeholder next to the field, saves and resets', async () => {
    await page.goto(`${base}/admin#/settings/email`);
    await page.getByRole('link', { name: 'invoice issued' }).click();
    await page.getByRole('heading', { level: 1, name: 'Template: invoice issued' }).waitFor();
    const text = page.locator('[data-preview="text"]');
    await expect.poll(() => text.innerText()).toContain('INV-2027-00012');
    const frame = page.frameLocator('iframe[title="HTML body preview"]');
    await expect.poll(() => frame.locator('body').innerText()).toContain('Example Hosting');
    await check('#/settings/email/templates/invoice_issued', 'template');

    const subject = page.getByLabel('Subject');
    await subject.fill('Invoice {{invoice.numbr}} from {{company.name}}');
    await page.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(() => page.locator('#err-subject').innerText()).toContain('{{invoice.numbr}} is not one of');
    await subject.fill('Your invoice {{invoice.number}} from {{company.name}}');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Preview' }).innerText())
      .toContain('Your invoice INV-2027-00012 from Example Hosting');
    await page.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(toast).toContain('Template saved');
    const saved = await t.app.db.kysely.selectFrom('mail_templates').selectAll().execute();
    expect(saved.map((r) => r.subject)).toEqual(['Your invoice {{invoice.number}} from {{company.name}}']);

    await page.getByRole('button', { name: 'Reset to default' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reset template' }).click();
    await expect.poll(toast).toContain('reset');
    await expect
      .poll(() => subject.inputValue())
      .toBe('Invoice {{invoice.number}}: {{invoice.total}} {{invoice.currency}} due {{invoice.due_date}}');
    expect(await t.app.db.kysely.selectFrom('mail_templates').selectAll().execute()).toEqual([]);
  });

  it('the User API settings are a page of the section; no secret reached the browser; no console errors', async () => {
    await page.goto(`${base}/admin#/settings/billing`);
    await page
      .getByRole('navigation', { name: 'Settings pages' })
      .getByRole('link', { name: 'User API', exact: true })
      .click();
    await page.getByRole('heading', { level: 1, name: 'User API settings' }).waitFor();
    await check('#/settings/userapi', 'userapi');
    expect(answers.length).toBeGreaterThan(10);
    for (const body of answers) {
      expect(body).not.toContain(STRIPE_KEY);
      expect(body).not.toContain(WEBHOOK_SECRET);
      expect(body).not.toContain(SMTP_PASSWORD);
    }
    expect(consoleErrors).toEqual([]);
  });
});

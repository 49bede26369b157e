import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { accessibilityProblems, launchBrowser } from '../helpers/browser.js';
import { newAdmin, newClient, newInvoice, newProduct, newService, type TestClient } from '../helpers/factories.js';

/**
 * Staff accounts and password resets in the admin area: a staff member who forgot their password
 * resets it from the login page, an owner manages staff on #/staff, staff send a client a reset
 * email, and what a role may not do is not offered.
 */
describe('staff and password resets in the admin area', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let jane: TestClient;
  let supportId: string;
  let serviceId: string;
  let invoiceId: string;
  const errors: string[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('console', (message) => {
      // The browser also logs each 4xx answer; the pages show those (and the tests check they do).
      if (message.type() === 'error' && !/status of 4\d\d/.test(message.text()))
        errors.push(`${message.text()} (${page.url()})`);
    });
    page.on('pageerror', (error) => errors.push(`${error.message} (${page.url()})`));
    return page;
  }

  async function logIn(page: Page, email: string, password: string): Promise<void> {
    await page.goto(`${base}/admin#/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  }

  /** Checks the page as it is with axe at desktop and phone widths, with a screenshot of each. */
  async function check(page: Page, name: string): Promise<void> {
    expect(await accessibilityProblems(page), `${name}: axe-core`).toEqual([]);
    await page.screenshot({ path: `/tmp/portico-staff-${name}-desktop.png`, fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await accessibilityProblems(page), `${name} at 375 px: axe-core`).toEqual([]);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.screenshot({ path: `/tmp/portico-staff-${name}-phone.png`, fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  const mailsTo = (to: string) =>
    t.app.db.kysely
      .selectFrom('mail_messages')
      .selectAll()
      .where('to_address', '=', to)
      .where('template', '=', 'password_reset')
      .orderBy('created_at_ms')
      .execute();
  const lastCode = async (to: string) =>
    /once:\n\n(\S+)\n/.exec((await mailsTo(to)).at(-1)?.text_body ?? '')?.[1] ?? '';

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.settings.set('email.smtp_url', 'smtp://127.0.0.1:2525');
    await t.app.settings.set('email.from', 'Example Hosting <billing@example.com>');
    await newAdmin(t.app, { email: 'owner@example.com', name: 'Olga Owner', password: 'owner-password-1' });
    supportId = (
      await newAdmin(t.app, {
        email: 'desk@example.com',
        name: 'Dan Desk',
        password: 'desk-password-1',
        role: 'support',
      })
    ).id;
    await newAdmin(t.app, {
      email: 'viewer@example.com',
      name: 'Vera',
      password: 'viewer-password-1',
      role: 'read_only',
    });
    jane = await newClient(t.app, { name: 'Jane Doe', email: 'jane@shop.example' });
    const product = await newProduct(t.app, { name: 'Starter' });
    serviceId = (await newService(t.app, { clientId: jane.row.id, productId: product.id, domain: 'jane-shop.example' }))
      .id;
    invoiceId = (await newInvoice(t.app, { clientId: jane.row.id })).id;
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.server.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  // Each test below drives several pages and runs axe-core at two widths: 60 s, as the machine may be busy.
  it('a forgotten password is reset from the login page: a wrong code is refused, the right one ends the sessions', async () => {
    const earlier = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/session',
      payload: { email: 'desk@example.com', password: 'desk-password-1' },
    });
    const cookie = String(earlier.headers['set-cookie']).split(';')[0]!;

    const page = await newPage();
    await page.goto(`${base}/admin#/login`);
    await page.getByRole('heading', { level: 1, name: 'Log in to Portico admin' }).waitFor();
    // The second factor's field waits until the server asks for it.
    expect(await page.getByLabel(/Code from your authenticator app/).isVisible()).toBe(false);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
    await check(page, 'forgot-password');

    await page.getByRole('form', { name: 'Ask for a reset code' }).getByLabel('Email').fill('desk@example.com');
    await page.getByRole('button', { name: 'Email me a reset code' }).click();
    await expect.poll(() => page.locator('#reset-ask-message').innerText()).toContain('on its way');
    const code = await lastCode('desk@example.com');
    expect(code).not.toBe('');

    const form = page.getByRole('form', { name: 'Set a new password' });
    await form.getByLabel('Code from the email').fill('not-the-code');
    await form.getByLabel('New password (at least 10 characters)').fill('desk-new-password-2');
    await form.getByLabel('New password again').fill('desk-new-password-2');
    await form.getByRole('button', { name: 'Set new password' }).click();
    // The server's reason, next to the form; the code field is marked.
    await expect.poll(() => form.getByRole('alert').innerText()).toContain('unknown, used or expired');
    expect(await form.getByLabel('Code from the email').getAttribute('aria-invalid')).toBe('true');
    await check(page, 'forgot-password-error');

    await form.getByLabel('Code from the email').fill(code);
    await form.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { level: 1, name: 'Log in to Portico admin' }).waitFor();
    expect(await page.getByRole('status').first().innerText()).toContain('Your new password is set');
    await check(page, 'login-after-reset');
    // The session from before the reset has ended.
    expect((await t.inject({ method: 'GET', url: '/admin/api/v1/session', headers: { cookie } })).statusCode).toBe(401);
    await page.getByLabel('Email').fill('desk@example.com');
    await page.getByLabel('Password').fill('desk-new-password-2');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.context().close();
  }, 60_000);

  it('an owner lists staff, creates one, changes a role, sends a reset email and resets two-factor, each after asking', async () => {
    // Dan has two-factor login (set here as if enrolled): the owner can reset it.
    await t.app.db.kysely
      .updateTable('admins')
      .set({ totp_secret: t.app.secrets().seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'), totp_enabled_at_ms: Date.now() })
      .where('id', '=', supportId)
      .execute();
    const page = await newPage();
    await logIn(page, 'owner@example.com', 'owner-password-1');
    await page.getByRole('navigation', { name: 'Admin sections' }).getByRole('link', { name: 'Staff' }).click();
    await page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
    const list = page.locator('table[data-list="staff"]');
    const text = await list.innerText();
    for (const s of ['owner@example.com', 'desk@example.com', 'viewer@example.com', 'Olga Owner'])
      expect(text).toContain(s);
    expect(await page.getByLabel('Role of desk@example.com').inputValue()).toBe('support');
    expect(await page.getByLabel('Role of viewer@example.com').inputValue()).toBe('read_only');
    await check(page, 'list');

    // A new account without a password: the one made for it is shown once, and it logs in.
    const create = page.getByRole('form', { name: 'New staff member' });
    await create.getByLabel('Email').fill('bea@example.com');
    await create.getByLabel('Name').fill('Bea Billing');
    await create.getByLabel('Role').selectOption('billing');
    await create.getByRole('button', { name: 'Create staff member' }).click();
    const initial = page.locator('[data-initial-password]');
    await initial.waitFor();
    const password = await initial.innerText();
    expect(await list.innerText()).toContain('bea@example.com');
    const bea = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/session',
      payload: { email: 'bea@example.com', password },
    });
    expect(bea.json().role).toBe('billing');
    // Taken addresses get the server's reason next to the form.
    await create.getByLabel('Email').fill('bea@example.com');
    await create.getByRole('button', { name: 'Create staff member' }).click();
    await expect.poll(() => create.getByRole('alert').innerText()).toContain('already exists');

    // A role change asks first; cancelling leaves it as it was.
    await page.getByLabel('Role of viewer@example.com').selectOption('billing');
    const dialog = page.getByRole('dialog', { name: 'Make viewer@example.com billing?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByLabel('Role of viewer@example.com').inputValue()).toBe('read_only');
    await page.getByLabel('Role of viewer@example.com').selectOption('support');
    await page
      .getByRole('dialog', { name: 'Make viewer@example.com support?' })
      .getByRole('button', { name: 'Change role' })
      .click();
    await expect.poll(() => page.locator('#toast').innerText()).toContain('viewer@example.com is now support');
    const viewer = () =>
      t.app.db.kysely
        .selectFrom('admins')
        .selectAll()
        .where('email', '=', 'viewer@example.com')
        .executeTakeFirstOrThrow();
    expect((await viewer()).role).toBe('support');

    // The last owner cannot demote themselves: the server's reason, and the role stays as it was.
    await page.getByLabel('Role of owner@example.com').selectOption('billing');
    await page
      .getByRole('dialog', { name: 'Make owner@example.com billing?' })
      .getByRole('button', { name: 'Change role' })
      .click();
    await expect.poll(() => page.locator('#toast').innerText()).toContain('last active owner');
    await expect.poll(() => page.getByLabel('Role of owner@example.com').inputValue()).toBe('owner');

    await page.getByRole('button', { name: 'Send password reset email to viewer@example.com' }).click();
    const send = page.getByRole('dialog', { name: 'Send viewer@example.com a password reset email?' });
    expect(await accessibilityProblems(page)).toEqual([]);
    await send.getByRole('button', { name: 'Send reset email' }).click();
    await expect
      .poll(() => page.locator('#toast').innerText())
      .toContain('Password reset email queued for viewer@example.com');
    expect(await mailsTo('viewer@example.com')).toHaveLength(1);

    await page.getByRole('button', { name: 'Reset two-factor login of desk@example.com' }).click();
    await page
      .getByRole('dialog', { name: 'Reset two-factor login of desk@example.com?' })
      .getByRole('button', { name: 'Reset two-factor' })
      .click();
    await expect
      .poll(() => page.getByRole('button', { name: 'Reset two-factor login of desk@example.com' }).count())
      .toBe(0);
    const desk = await t.app.db.kysely
      .selectFrom('admins')
      .select('totp_enabled_at_ms')
      .where('id', '=', supportId)
      .executeTakeFirstOrThrow();
    expect(desk.totp_enabled_at_ms).toBeNull();
    await check(page, 'list-after');
    // Back to read-only for the role test below.
    await t.app.db.kysely
      .updateTable('admins')
      .set({ role: 'read_only' })
      .where('email', '=', 'viewer@example.com')
      .execute();
    await page.context().close();
  }, 60_000);

  it('sends a client a password reset email from their page, after asking; the audit log names the admin', async () => {
    const page = await newPage();
    await logIn(page, 'desk@example.com', 'desk-new-password-2');
    await page.goto(`${base}/admin#/clients/${jane.row.id}`);
    await page.getByRole('heading', { level: 1, name: 'Jane Doe' }).waitFor();
    await page.getByRole('button', { name: 'Send password reset email' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send Jane Doe a password reset email?' });
    await dialog.waitFor();
    // Cancel sends nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await mailsTo('jane@shop.example')).toHaveLength(0);
    await page.getByRole('button', { name: 'Send password reset email' }).click();
    await dialog.getByRole('button', { name: 'Send reset email' }).click();
    await expect
      .poll(() => page.locator('#toast').innerText())
      .toContain('Password reset email queued for jane@shop.example');
    expect(await mailsTo('jane@shop.example')).toHaveLength(1);
    const entry = await t.app.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'client.password_reset_sent')
      .executeTakeFirstOrThrow();
    expect(entry.actor_id).toBe(supportId);
    await check(page, 'client');
    // Support may not change credit: the form is not offered; nor the staff link in the navigation.
    expect(await page.getByRole('form', { name: 'Change credit' }).count()).toBe(0);
    const nav = page.getByRole('navigation', { name: 'Admin sections' });
    expect(await nav.getByRole('link', { name: 'Staff' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'API log' }).count()).toBe(1);
    await page.context().close();
  }, 60_000);

  it('read-only staff are offered no changes: no staff or API log link, no client actions', async () => {
    const page = await newPage();
    await logIn(page, 'viewer@example.com', 'viewer-password-1');
    const nav = page.getByRole('navigation', { name: 'Admin sections' });
    expect(await nav.getByRole('link', { name: 'Clients' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Staff' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'API log' }).count()).toBe(0);
    await page.goto(`${base}/admin#/clients/${jane.row.id}`);
    await page.getByRole('heading', { level: 1, name: 'Jane Doe' }).waitFor();
    expect(await page.getByRole('button', { name: 'Send password reset email' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Suspend client', exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Close client' }).count()).toBe(0);
    expect(await page.getByRole('form', { name: 'Change credit' }).count()).toBe(0);
    await page.goto(`${base}/admin#/services/${serviceId}`);
    await page.getByRole('heading', { level: 1, name: /jane-shop\.example/ }).waitFor();
    for (const name of ['Suspend', 'Reprovision', 'Terminate'])
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    await page.goto(`${base}/admin#/invoices/${invoiceId}`);
    await page.getByRole('heading', { level: 1, name: /^Invoice / }).waitFor();
    expect(await page.getByRole('link', { name: 'Download PDF' }).count()).toBe(1);
    for (const name of ['Mark paid', 'Void'])
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    expect(await page.getByRole('form', { name: 'Record a bank transfer' }).count()).toBe(0);
    await page.goto(`${base}/admin#/servers`);
    await page.getByRole('heading', { level: 1, name: 'Servers' }).waitFor();
    expect(await page.getByRole('button', { name: 'Add server' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Pause|Resume|Run check)/ }).count()).toBe(0);
    await page.goto(`${base}/admin#/catalog`);
    await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
    expect(await page.getByRole('form', { name: 'New category' }).count()).toBe(0);
    expect(await page.getByRole('form', { name: 'New product' }).count()).toBe(0);
    // The business settings: shown as they are, nothing to save, no test message, templates only previewed.
    await page.goto(`${base}/admin#/settings`);
    await page.getByRole('heading', { level: 1, name: 'Billing automation' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
    expect(await page.locator('form.settings input').count()).toBeGreaterThan(0);
    expect(await page.locator('form.settings :is(input, textarea, select):not([disabled])').count()).toBe(0);
    await page.goto(`${base}/admin#/settings/email`);
    await page.getByRole('heading', { level: 1, name: 'Email settings' }).waitFor();
    expect(await page.getByRole('form', { name: 'Test message' }).count()).toBe(0);
    await page.goto(`${base}/admin#/settings/email/templates/welcome`);
    await page.getByRole('heading', { level: 1, name: 'Template: welcome' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save template' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Preview' }).count()).toBe(1);
    await page.goto(`${base}/admin#/settings/userapi`);
    await page.getByRole('heading', { level: 1, name: 'User API settings' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
    expect(await page.locator('form[aria-label="User API settings"] input:not([disabled])').count()).toBe(0);
    await check(page, 'read-only-settings');
    await page.goto(`${base}/admin#/routes`);
    await page.getByRole('heading', { level: 1, name: 'Routes' }).waitFor();
    expect(await page.locator('main input, main textarea, main button').count()).toBeGreaterThan(0);
    expect(
      await page
        .locator('main input:not([disabled]), main textarea:not([disabled]), main button:not([disabled])')
        .count(),
    ).toBe(0);
    // Typed in by hand, the staff page says whose job it is instead of failing.
    await page.goto(`${base}/admin#/staff`);
    await page.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
    expect(await page.locator('main').innerText()).toContain('managed by owners');
    await check(page, 'read-only');
    await page.context().close();
    expect(errors).toEqual([]);
  }, 60_000);
});

import type { AddressInfo } from 'node:net';
import * as OTPAuth from 'otpauth';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { newAdmin } from '../helpers/factories.js';

/**
 * An owner must log in with a second factor (the default): their first login in the admin area
 * leads them through setting it up — QR code and secret, a code from the app, the recovery codes
 * once — and a later login asks for a code, which a recovery code can stand in for.
 */
describe('two-factor login in the admin area', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp({ adminTotp: 'default' });
    await newAdmin(t.app, { email: 'owner@example.com', name: 'Owner', password: 'owner-password-1' });
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.server.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('sets it up at the first login, then asks for a code, and takes a recovery code', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/admin#/clients`);
    await page.getByLabel('Email').fill('owner@example.com');
    await page.getByLabel('Password').fill('owner-password-1');
    await page.getByRole('button', { name: 'Log in' }).click();

    await page.getByRole('heading', { level: 1, name: 'Set up two-factor login' }).waitFor();
    expect(await page.getByRole('img', { name: /QR code/ }).isVisible()).toBe(true);
    await page.screenshot({ path: '/tmp/portico-two-factor-setup.png', fullPage: true });
    const secret = (await page.locator('form code').first().textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
    await page.getByLabel('Code from your authenticator app').fill(totp.generate());
    await page.getByRole('button', { name: 'Turn on two-factor login' }).click();

    await page.getByRole('heading', { level: 1, name: 'Two-factor login is on' }).waitFor();
    const codes = await page.locator('.recovery-codes code').allTextContents();
    expect(codes).toHaveLength(10);
    await page.screenshot({ path: '/tmp/portico-two-factor-codes.png', fullPage: true });
    await page.getByRole('button', { name: /saved them/ }).click();
    // Back to the page first asked for.
    await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    // The login form first: until logging out is done, "Email" also matches the clients' "Name or email" search.
    await page.getByRole('heading', { level: 1, name: 'Log in to Portico admin' }).waitFor();
    await page.getByLabel('Email').fill('owner@example.com');
    await page.getByLabel('Password').fill('owner-password-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    const code = page.getByLabel(/Code from your authenticator app/);
    await code.waitFor();
    await code.fill(codes[0] ?? '');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    expect(errors).toEqual([]);
  }, 60_000);
});

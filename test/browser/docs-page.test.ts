import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';

describe('API documentation page in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let logoServer: Server;
  let logoUrl: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.server.server.address() as AddressInfo).port}`;
    // The provider's logo lives on their own site: a tiny server stands in for it.
    logoServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/svg+xml' });
      res.end(
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32"><rect width="120" height="32" fill="#0a7"/></svg>',
      );
    });
    await new Promise<void>((r) => logoServer.listen(0, '127.0.0.1', r));
    logoUrl = `http://127.0.0.1:${(logoServer.address() as AddressInfo).port}/logo.svg`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    logoServer?.close();
    await t?.close();
  });

  it('shows the provider’s company name, intro and the routes, rendered from the live document', async () => {
    await t.app.settings.set('userapi.docs.company_name', 'Acme Hosting');
    await t.app.settings.set('userapi.docs.intro', 'Automate your **Acme** hosting from scripts.');
    await t.app.settings.set('userapi.docs.logo_url', logoUrl);
    const page = await browser.newPage();
    await page.goto(`${base}/api/docs`);
    await expect
      .poll(() => page.locator('h1').first().textContent(), { timeout: 20_000 })
      .toContain('Acme Hosting User API');
    const text = await page.locator('body').innerText();
    expect(text).toContain('Automate your Acme hosting from scripts.');
    expect(text).toContain('List your services');
    const logo = page.locator(`img[src="${logoUrl}"]`).first();
    await expect
      .poll(() => logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(120);
    await page.screenshot({ path: '/tmp/portico-docs.png', fullPage: false });
  });

  it('loads nothing from another host: every request the page makes goes to Portico', async () => {
    await t.app.settings.set('userapi.docs.logo_url', '');
    // A context of its own: an empty cache, so every resource is requested and seen here.
    const context = await browser.newContext();
    const page = await context.newPage();
    const urls: string[] = [];
    page.on('request', (request) => {
      urls.push(request.url());
    });
    // Runs in the page before its scripts: collects what the Content-Security-Policy refuses.
    await page.addInitScript(`
      globalThis.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        globalThis.cspViolations.push(e.effectiveDirective + ' ' + e.blockedURI);
      });
    `);
    const response = await page.goto(`${base}/api/docs`);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 20_000 }).toContain('List your services');
    // The page, its script, the document and the typefaces (served here, not by a font host).
    await expect
      .poll(() => urls)
      .toEqual(
        expect.arrayContaining([
          `${base}/api/docs/`,
          `${base}/api/docs/js/scalar.js`,
          `${base}/api/v1/openapi.json`,
          `${base}/api/docs/fonts/fonts.css`,
          `${base}/api/docs/fonts/inter-latin-wght-normal.woff2`,
        ]),
      );
    await expect.poll(() => page.evaluate('document.fonts.status')).toBe('loaded');
    expect(urls.filter((url) => new URL(url).origin !== base)).toEqual([]);
    expect(await page.evaluate('document.fonts.check("16px Inter")')).toBe(true);
    // The renderer works inside the page's Content-Security-Policy: nothing it needs is refused.
    // Only eval is, which its schema library merely probes for (`Function('')`) before doing without.
    const violations = (await page.evaluate('globalThis.cspViolations')) as string[];
    expect(violations.filter((v) => v !== 'script-src eval')).toEqual([]);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('same-origin');
    await context.close();
  });

  it('lists the allowed values of a choice field', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/api/docs/#tag/orders/POST/orders`);
    await expect
      .poll(() => page.locator('body').innerText(), { timeout: 20_000 })
      .toMatch(/billing_cycle[\s\S]*Values\s+monthly\s+quarterly\s+semiannually\s+annually\s+biennially/);
  });

  it('drops a route from the page when the admin disables it', async () => {
    await t.app.db.kysely
      .insertInto('route_overrides')
      .values({
        operation_id: 'listInvoices',
        enabled: 0,
        name: null,
        category: null,
        description: null,
        updated_at_ms: Date.now(),
      })
      .execute();
    await t.app.routes.reload(t.app.db.kysely);
    const page = await browser.newPage();
    await page.goto(`${base}/api/docs`);
    await expect.poll(() => page.locator('body').innerText(), { timeout: 20_000 }).toContain('Get an invoice');
    expect(await page.locator('body').innerText()).not.toContain('List your invoices');
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

/** The docs page's own headers and assets; test/browser/docs-page.test.ts loads it in Chromium. */
describe('the docs page’s security headers and assets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { PORTICO_PUBLIC_URL: 'https://billing.example.com' } });
  });

  const directives = (csp: unknown) =>
    Object.fromEntries(
      String(csp)
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );

  it('sends the page with a policy that keeps it to this server, in no frame, with a fresh nonce', async () => {
    await t.app.settings.set('userapi.docs.logo_url', 'https://cdn.acme.example/brand/logo.svg');
    const first = await t.inject({ method: 'GET', url: '/api/docs/' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    expect(first.headers['referrer-policy']).toBe('same-origin');
    const csp = directives(first.headers['content-security-policy']);
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['font-src']).toEqual(["'self'"]);
    // The provider's logo host for images; this server's public URL for "try it" requests.
    expect(csp['img-src']).toEqual(["'self'", 'data:', 'https://cdn.acme.example']);
    expect(csp['connect-src']).toEqual(["'self'", 'https://billing.example.com']);
    const nonce = /'nonce-([^']+)'/.exec(String(csp['script-src']))?.[1];
    expect(nonce).toBeTruthy();
    const scripts = [...first.body.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toContain(`nonce="${nonce}"`);
    const second = await t.inject({ method: 'GET', url: '/api/docs/' });
    expect(second.headers['content-security-policy']).not.toContain(nonce);
  });

  it('sends the script, the redirect and the fonts with nosniff and no framing', async () => {
    for (const url of ['/api/docs', '/api/docs/js/scalar.js', '/api/docs/fonts/fonts.css']) {
      const res = await t.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeLessThan(400);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
    }
  });

  it('serves the typefaces the page asks for, and nothing else under /api/docs/fonts', async () => {
    const css = await t.inject({ method: 'GET', url: '/api/docs/fonts/fonts.css' });
    expect(css.headers['content-type']).toContain('text/css');
    expect(css.body).toContain("font-family: 'Inter'");
    expect(css.body).toContain("font-family: 'JetBrains Mono'");
    const files = [...css.body.matchAll(/url\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) expect(file).toMatch(/^\/api\/docs\/fonts\/[\w.-]+\.woff2$/);
    const font = await t.inject({ method: 'GET', url: files[0]! });
    expect(font.statusCode).toBe(200);
    expect(font.headers['content-type']).toBe('font/woff2');
    expect(font.rawPayload.subarray(0, 4).toString('latin1')).toBe('wOF2');
    for (const url of ['/api/docs/fonts/nope.woff2', '/api/docs/fonts/..%2F..%2Fpackage.json']) {
      const missing = await t.inject({ method: 'GET', url });
      expect(missing.statusCode, url).toBe(404);
      expect(missing.headers['content-type']).toContain('application/problem+json');
    }
  });
});

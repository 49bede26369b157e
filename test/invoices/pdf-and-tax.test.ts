import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueInvoice } from '../../src/invoices/issue.js';
import { ManualClock } from '../../src/platform/clock.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicHeader, newAdmin, newClient, type TestClient } from '../helpers/factories.js';
import { captureLogs } from '../helpers/logs.js';
import { pdfText } from './pdf-text.js';

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('invoice tax and PDF', () => {
  let t: TestApp;
  let admin: string;
  let grete: TestClient;
  let invoiceId: string;
  let number: string;
  const logs = captureLogs('warn');
  const clock = new ManualClock(Date.UTC(2026, 11, 2, 12));
  const dec1 = Date.UTC(2026, 11, 1);
  const jan1 = Date.UTC(2027, 0, 1);

  beforeAll(async () => {
    t = await createTestApp({ clock, logger: logs.logger });
    const s = t.app.settings;
    await s.set('billing.tax_rates', 'DE=19:VAT');
    await s.set('company.name', 'Acme Hosting GmbH');
    await s.set('company.address', 'Hauptstraße 1\n10115 Berlin');
    await s.set('company.tax_id', 'DE123456789');
    const dir = mkdtempSync(join(tmpdir(), 'portico-logo-'));
    writeFileSync(join(dir, 'logo.png'), PNG);
    await s.set('company.logo_path', join(dir, 'logo.png'));
    await newAdmin(t.app, { email: 'billing@example.com', password: 'admin-password-1' });
    admin = basicHeader('billing@example.com', 'admin-password-1');
    grete = await newClient(t.app, {
      name: 'Grete Muster',
      company: 'Muster AG',
      country: 'DE',
      address: 'Lindenweg 5\n80331 München',
      tax_id: 'DE987654321',
      currency: 'EUR',
    });
    const { invoice } = await t.app.db.kysely.transaction().execute((trx) =>
      issueInvoice(trx, t.app.settings.snapshot, clock.nowMs(), {
        clientId: grete.row.id,
        currency: 'EUR',
        kind: 'renewal',
        dueAtMs: Date.UTC(2026, 11, 9),
        items: [
          {
            kind: 'renewal',
            description: 'Starter hosting',
            amountMinor: 499,
            periodStartMs: dec1,
            periodEndMs: jan1,
          },
        ],
      }),
    );
    invoiceId = invoice.id;
    number = invoice.number;
  });

  const userPdf = (client: TestClient, id: string) =>
    t.inject({ method: 'GET', url: `/api/v1/invoices/${id}/pdf`, headers: { authorization: client.basic } });
  const adminPdf = (id: string) =>
    t.inject({ method: 'GET', url: `/admin/api/v1/invoices/${id}/pdf`, headers: { authorization: admin } });

  it('shows the client the tax by their country, rounded on the subtotal, and each item’s period', async () => {
    const res = await t.inject({
      method: 'GET',
      url: `/api/v1/invoices/${invoiceId}`,
      headers: { authorization: grete.basic },
    });
    // 4.99 × 19 % = 0.9481 → 0.95 (rounded half away from zero to the cent).
    expect(res.json()).toMatchObject({
      kind: 'renewal',
      subtotal_minor: 499,
      tax_name: 'VAT',
      tax_rate_bp: 1900,
      tax_minor: 95,
      total_minor: 594,
      refunded_minor: 0,
      items: [
        {
          kind: 'renewal',
          amount_minor: 499,
          period_start: '2026-12-01T00:00:00.000Z',
          period_end: '2027-01-01T00:00:00.000Z',
        },
      ],
    });
    const list = await t.inject({ method: 'GET', url: '/api/v1/invoices', headers: { authorization: grete.basic } });
    expect(list.json().items[0]).toMatchObject({ id: invoiceId, tax_name: 'VAT', tax_minor: 95 });
  });

  it('gives the client their own invoice as a PDF holding provider, client, items, tax and total', async () => {
    const res = await userPdf(grete, invoiceId);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${number}.pdf"`);
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(res.rawPayload);
    for (const expected of [
      'Acme Hosting GmbH',
      'Hauptstraße 1',
      'Tax ID: DE123456789',
      'Grete Muster',
      'Muster AG',
      'Lindenweg 5',
      'Tax ID: DE987654321',
      `Invoice ${number}`,
      'Issued: 2026-12-02',
      'Due: 2026-12-09',
      'Starter hosting',
      'Period: 2026-12-01 – 2026-12-31',
      'Subtotal',
      '4.99 EUR',
      'VAT 19%',
      '0.95 EUR',
      'Total',
      '5.94 EUR',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toMatch(/PAID|VOID|REFUNDED/);
    // The logo is drawn as an image.
    expect(res.rawPayload.toString('latin1')).toContain('/Subtype /Image');
  });

  it('answers 404 for another client’s invoice PDF', async () => {
    const other = await newClient(t.app);
    const res = await userPdf(other, invoiceId);
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('stamps the status: PAID with its refunds, then REFUNDED; VOID for a voided one', async () => {
    await t.app.settings.set('company.logo_path', '');
    const paid = await t.inject({
      method: 'POST',
      url: `/admin/api/v1/invoices/${invoiceId}/mark-paid`,
      headers: { authorization: admin },
    });
    expect(paid.statusCode).toBe(201);
    await t.inject({
      method: 'POST',
      url: `/admin/api/v1/invoices/${invoiceId}/refunds`,
      headers: { authorization: admin },
      payload: { amount_minor: 100, reason: 'Downtime' },
    });
    const partly = pdfText((await adminPdf(invoiceId)).rawPayload);
    expect(partly).toContain('PAID');
    expect(partly).toContain('Refunded 2026-12-02');
    expect(partly).toContain('-1.00 EUR');
    await t.inject({
      method: 'POST',
      url: `/admin/api/v1/invoices/${invoiceId}/refunds`,
      headers: { authorization: admin },
      payload: { reason: 'Cancelled' },
    });
    expect(pdfText((await adminPdf(invoiceId)).rawPayload)).toContain('REFUNDED');

    const manual = await t.inject({
      method: 'POST',
      url: '/admin/api/v1/invoices',
      headers: { authorization: admin },
      payload: { client_id: grete.row.id, items: [{ description: 'Setup work', amount_minor: 5000 }] },
    });
    await t.inject({
      method: 'POST',
      url: `/admin/api/v1/invoices/${manual.json().id}/void`,
      headers: { authorization: admin },
      payload: { reason: 'Wrong client' },
    });
    const voided = pdfText((await adminPdf(manual.json().id)).rawPayload);
    expect(voided).toContain('VOID');
    expect(voided).toContain('Wrong client');
  });

  it('prints without the logo when it cannot be read, with a warning in the log, never a 500', async () => {
    await t.app.settings.set('company.logo_path', '/nonexistent/logo.png');
    const res = await userPdf(grete, invoiceId);
    expect(res.statusCode).toBe(200);
    expect(pdfText(res.rawPayload)).toContain('Acme Hosting GmbH');
    expect(logs.lines.some((l) => l.includes('company.logo_path cannot be read'))).toBe(true);
  });
});

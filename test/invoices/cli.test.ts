import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { payInvoice } from '../../src/orders/orders.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { newClient, newInvoice, type TestClient } from '../helpers/factories.js';
import { pdfText } from './pdf-text.js';

describe('portico invoices', () => {
  let t: TestApp;
  let client: TestClient;
  beforeAll(async () => {
    t = await createTestApp();
    client = await newClient(t.app, { name: 'Cli Client' });
  });
  const cli = (...args: string[]) => runCli(t.db, ['invoices', ...args]);

  it('writes, lists, shows, refunds and prints an invoice by its number', { timeout: 480_000 }, async () => {
    const created = await cli('create', '--client', client.email, '--item', 'Setup work=50.00', '--item', 'Extra=2.50');
    expect(created.stderr).toBe('');
    const number = /Invoice (\S+) \((inv_\w+)\)/.exec(created.stdout);
    expect(created.stdout).toContain(`issued to ${client.email}: 52.50 USD`);
    const [, invNumber = '', id = ''] = number ?? [];

    const listed = await cli('list', '--client', client.email, '--status', 'unpaid');
    expect(listed.stdout).toContain(`${invNumber}\tunpaid\t52.50 USD`);

    await payInvoice(t.app, {
      invoiceId: id,
      method: 'admin',
      actor: { type: 'cli', id: null },
      correlationId: 'test',
    });
    const refunded = await cli('refund', invNumber, '--amount', '2.50', '--reason', 'Extra not done');
    expect(refunded.stderr).toBe('');
    expect(refunded.stdout).toContain(`Refunded 2.50 USD of ${invNumber} to the client's credit; 50.00 USD remains.`);

    const shown = await cli('show', invNumber);
    expect(shown.stdout).toContain(`Invoice ${invNumber} (${id}) — PAID`);
    expect(shown.stdout).toContain('Refunded: 2.50 USD');
    expect(shown.stdout).toContain('refund 2.50 USD');

    const out = join(mkdtempSync(join(tmpdir(), 'portico-pdf-')), 'invoice.pdf');
    const printed = await cli('pdf', invNumber, '--out', out);
    expect(printed.stdout).toContain(`written to ${out}`);
    expect(existsSync(out)).toBe(true);
    expect(pdfText(readFileSync(out))).toContain('Setup work');
  });

  it('voids an unpaid invoice and refuses a paid one, saying to refund it', { timeout: 240_000 }, async () => {
    const unpaid = await newInvoice(t.app, { clientId: client.row.id });
    const voided = await cli('void', unpaid.id, '--reason', 'Duplicate');
    expect(voided.stderr).toBe('');
    expect(voided.stdout).toMatch(/^Invoice T-\S+ voided\.$/m);
    const paid = await newInvoice(t.app, { clientId: client.row.id, status: 'paid' });
    const refused = await cli('void', paid.id, '--reason', 'Oops');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refund it instead');
  });

  it('refuses an item that is not "Description=amount", showing the form', { timeout: 120_000 }, async () => {
    const res = await cli('create', '--client', client.email, '--item', 'Setup work');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('is not "Description=amount" (e.g. --item "Setup work=50.00", in USD)');
  });
});

import { readFileSync } from 'node:fs';
import type { AppContext } from '../app-context.js';
import { localDate } from '../billing/calendar.js';
import { findClientById } from '../clients/store.js';
import { resolveInstallPath } from '../config.js';
import { bankTransferInstructions } from '../payments/bank-transfer.js';
import { notFound } from '../platform/http/errors.js';
import { formatAmount } from '../platform/money.js';
import { findInvoice, type InvoiceRow, listInvoiceItems, listInvoicePayments } from './store.js';

/**
 * An invoice as a PDF: the provider (settings company.*), the client, the lines with their
 * periods, subtotal, tax, total, its status and refunds. A logo that cannot be read is left out
 * with a warning: the invoice is still printed.
 */
type Deps = Pick<AppContext, 'db' | 'settings' | 'logger' | 'config'>;

const STATUS_STAMP: Record<InvoiceRow['status'], string | null> = {
  unpaid: null,
  paid: 'PAID',
  cancelled: 'VOID',
  refunded: 'REFUNDED',
};

export function pdfFileName(row: Pick<InvoiceRow, 'number'>): string {
  return `${row.number.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf`;
}

function readLogo(deps: Deps, path: string): Buffer | null {
  if (!path) return null;
  const full = resolveInstallPath(deps.config, path);
  try {
    const data = readFileSync(full);
    const png = data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const jpeg = data[0] === 0xff && data[1] === 0xd8;
    if (!png && !jpeg) {
      deps.logger.warn({ path: full }, 'company.logo_path is not a PNG or JPEG file; invoices are printed without it');
      return null;
    }
    return data;
  } catch (error) {
    deps.logger.warn(
      { path: full, err: error },
      'company.logo_path cannot be read; invoices are printed without a logo (fix the path or clear the setting)',
    );
    return null;
  }
}

/** The PDF of an invoice; with clientId, only that client's (another's is not found). */
export async function renderInvoicePdf(
  deps: Deps,
  invoiceId: string,
  clientId?: string,
): Promise<{ pdf: Buffer; invoice: InvoiceRow }> {
  const db = deps.db.kysely;
  const invoice = await findInvoice(db, invoiceId, clientId);
  if (!invoice) throw notFound('The invoice');
  const [client, items, payments] = await Promise.all([
    findClientById(db, invoice.client_id),
    listInvoiceItems(db, invoice.id),
    listInvoicePayments(db, invoice.id),
  ]);
  const s = deps.settings.snapshot;
  const zone = s['billing.time_zone'];
  const day = (ms: number | null) => (ms === null ? '' : localDate(Number(ms), zone));
  const money = (n: number) => `${formatAmount(Number(n), invoice.currency)} ${invoice.currency}`;

  // pdfkit (and its fonts) load on the first PDF, not with every process that imports invoices.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Invoice ${invoice.number}` } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolvePdf, reject) => {
    doc.on('end', () => resolvePdf(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const logo = readLogo(deps, s['company.logo_path']);
  if (logo) {
    try {
      doc.image(logo, 50, 45, { fit: [120, 60] });
    } catch (error) {
      deps.logger.warn({ err: error }, 'company.logo_path is not an image pdfkit can print; left out');
    }
  }
  doc.font('Helvetica-Bold').fontSize(14).text(s['company.name'], 300, 50, { width: 245, align: 'right' });
  doc.font('Helvetica').fontSize(9);
  if (s['company.address']) doc.text(s['company.address'], { width: 245, align: 'right' });
  if (s['company.tax_id']) doc.text(`Tax ID: ${s['company.tax_id']}`, { width: 245, align: 'right' });

  doc.font('Helvetica-Bold').fontSize(20).text(`Invoice ${invoice.number}`, 50, 140);
  const stamp = STATUS_STAMP[invoice.status];
  if (stamp) doc.fillColor('#b00020').fontSize(16).text(stamp, 400, 144, { width: 145, align: 'right' });
  doc.fillColor('black').font('Helvetica').fontSize(10);
  doc.text(`Issued: ${day(invoice.issued_at_ms)}`, 50, 175);
  doc.text(`Due: ${day(invoice.due_at_ms)}`);
  if (invoice.paid_at_ms !== null) doc.text(`Paid: ${day(invoice.paid_at_ms)}`);
  if (invoice.status === 'cancelled') {
    doc.text(`Voided: ${day(invoice.cancelled_at_ms)}${invoice.cancel_reason ? ` (${invoice.cancel_reason})` : ''}`);
  }

  doc.font('Helvetica-Bold').text('Bill to', 320, 175);
  doc.font('Helvetica');
  if (client) {
    doc.text(client.name, { width: 225 });
    if (client.company) doc.text(client.company, { width: 225 });
    if (client.address) doc.text(client.address, { width: 225 });
    if (client.country) doc.text(client.country, { width: 225 });
    if (client.tax_id) doc.text(`Tax ID: ${client.tax_id}`, { width: 225 });
  }

  let y = Math.max(doc.y, 260) + 20;
  doc.font('Helvetica-Bold').text('Description', 50, y).text('Amount', 445, y, { width: 100, align: 'right' });
  y += 18;
  doc
    .moveTo(50, y - 4)
    .lineTo(545, y - 4)
    .stroke();
  doc.font('Helvetica');
  for (const item of items) {
    if (y > 720) {
      doc.addPage();
      y = 50;
    }
    doc.text(item.description, 50, y, { width: 380 });
    let below = doc.y;
    if (item.period_start_ms !== null && item.period_end_ms !== null) {
      doc
        .fontSize(8)
        .fillColor('#555555')
        .text(`Period: ${day(item.period_start_ms)} – ${day(Number(item.period_end_ms) - 1)}`, 50, below, {
          width: 380,
        });
      below = doc.y;
      doc.fontSize(10).fillColor('black');
    }
    doc.text(money(item.amount_minor), 445, y, { width: 100, align: 'right' });
    y = Math.max(below, doc.y) + 6;
  }
  doc.moveTo(50, y).lineTo(545, y).stroke();
  y += 10;
  const row = (label: string, value: string, bold = false) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    doc.text(label, 300, y, { width: 140 }).text(value, 445, y, { width: 100, align: 'right' });
    y += 16;
  };
  row('Subtotal', money(invoice.subtotal_minor));
  if (invoice.tax_name) row(`${invoice.tax_name} ${Number(invoice.tax_rate_bp) / 100}%`, money(invoice.tax_minor));
  else row('Tax', money(invoice.tax_minor));
  row('Total', money(invoice.total_minor), true);
  if (invoice.status === 'unpaid' && Number(invoice.paid_minor) > 0) {
    row('Received', `-${money(invoice.paid_minor)}`);
    row('Due', money(Number(invoice.total_minor) - Number(invoice.paid_minor)), true);
  }
  for (const p of payments.filter((x) => x.kind === 'refund')) {
    row(`Refunded ${day(p.at_ms)}`, `-${money(p.amount_minor)}`);
  }
  const transfer = bankTransferInstructions(s, invoice);
  if (transfer) {
    y += 14;
    doc.font('Helvetica-Bold').fontSize(10).text('Pay by bank transfer', 50, y);
    doc.font('Helvetica').fontSize(9);
    if (transfer.bank_details) doc.text(transfer.bank_details, 50, doc.y + 2, { width: 300 });
    doc.text(`Amount: ${money(transfer.amount_minor)}`, { width: 300 });
    doc.font('Helvetica-Bold').text(`Reference: ${transfer.reference}`, { width: 300 });
    doc.font('Helvetica').fontSize(10);
    y = doc.y;
  }
  if (invoice.notes) {
    doc
      .font('Helvetica')
      .fontSize(9)
      .text(invoice.notes, 50, y + 20, { width: 495 });
  }
  doc.end();
  return { pdf: await done, invoice };
}

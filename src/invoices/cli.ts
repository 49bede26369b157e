import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliUsageError } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';
import { newId } from '../platform/ids.js';
import { formatAmount, parseAmount } from '../platform/money.js';
import type { Actor } from './admin.js';
import { INVOICE_STATUSES } from './statuses.js';

/** `portico invoices …`: the Admin API's invoice operations for the operator's shell. */
const CLI_ACTOR: Actor = { type: 'cli', id: null };
const money = (minor: number, currency: string) => `${formatAmount(minor, currency)} ${currency}`;

/** `"Setup work=50.00"` → description and amount in the currency's minor units. */
function parseItem(text: string, currency: string): { description: string; amount_minor: number } {
  const at = text.lastIndexOf('=');
  const description = at > 0 ? text.slice(0, at).trim() : '';
  const amount = at > 0 ? parseAmount(text.slice(at + 1), currency) : null;
  if (!description || amount === null) {
    throw new CliUsageError(
      `--item "${text}" is not "Description=amount" (e.g. --item "Setup work=50.00", in ${currency}).`,
    );
  }
  return { description, amount_minor: amount };
}

export function registerInvoiceCommands(program: Command): void {
  const invoices = program.command('invoices').description('Invoices: list, show, write, void, refund, print');
  invoices
    .command('mark-paid <id>')
    .description('Mark an invoice paid (payment taken outside Portico); starts provisioning of its services')
    .action(async (id: string) => {
      const { payInvoice } = await import('../orders/orders.js');
      await withApp(async (app) => {
        const result = await payInvoice(app, {
          invoiceId: id,
          method: 'admin',
          actor: { type: 'cli', id: null },
          correlationId: newId('request'),
        });
        console.log(
          `Invoice ${id} marked paid (${result.payment_id}). Operations: ${result.operations.join(', ') || 'none'}.`,
        );
      });
    });
  invoices
    .command('list')
    .description('List invoices, newest first')
    .option('--client <id|email>', 'only this client’s')
    .option('--status <status>', `only this status (${INVOICE_STATUSES.join(', ')})`)
    .option('--overdue', 'only unpaid invoices past their due date')
    .option('--limit <n>', 'at most this many', '50')
    .action(async (opts: { client?: string; status?: string; overdue?: boolean; limit: string }) => {
      if (opts.status && !(INVOICE_STATUSES as readonly string[]).includes(opts.status)) {
        throw new CliUsageError(`--status must be one of ${INVOICE_STATUSES.join(', ')}.`);
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new CliUsageError('--limit must be 1 to 100.');
      const { listInvoicesAdmin } = await import('./admin.js');
      await withApp(async (app) => {
        const page = await listInvoicesAdmin(app, {
          limit,
          client: opts.client,
          status: opts.status as (typeof INVOICE_STATUSES)[number] | undefined,
          overdue: opts.overdue,
        });
        if (page.items.length === 0) console.log('No invoices.');
        for (const i of page.items) {
          console.log(
            [
              i.number,
              i.status,
              money(i.total_minor, i.currency),
              `due ${i.due_at.slice(0, 10)}`,
              i.client_email,
              i.id,
            ].join('\t'),
          );
        }
      });
    });
  invoices
    .command('show <id|number>')
    .description('An invoice with its items, payments and refunds')
    .action(async (ref: string) => {
      const { getInvoiceAdmin } = await import('./admin.js');
      await withApp(async (app) => {
        const i = await getInvoiceAdmin(app, ref);
        const lines = [
          `Invoice ${i.number} (${i.id}) — ${i.status.toUpperCase()}`,
          `Client:   ${i.client_name} <${i.client_email}> (${i.client_id})`,
          `Issued:   ${i.issued_at}   Due: ${i.due_at}${i.paid_at ? `   Paid: ${i.paid_at}` : ''}`,
          ...(i.cancel_reason ? [`Voided:   ${i.cancelled_at} (${i.cancel_reason})`] : []),
          'Items:',
          ...i.items.map(
            (it) =>
              `  ${it.description}\t${money(it.amount_minor, i.currency)}${it.period_start ? `\t${it.period_start.slice(0, 10)} – ${it.period_end?.slice(0, 10)}` : ''}`,
          ),
          `Subtotal: ${money(i.subtotal_minor, i.currency)}`,
          `Tax:      ${money(i.tax_minor, i.currency)}${i.tax_name ? ` (${i.tax_name} ${i.tax_rate_bp / 100}%)` : ''}`,
          `Total:    ${money(i.total_minor, i.currency)}`,
          ...(i.refunded_minor ? [`Refunded: ${money(i.refunded_minor, i.currency)}`] : []),
          ...i.payments.map(
            (p) => `  ${p.kind} ${money(p.amount_minor, p.currency)} ${p.at}${p.reference ? ` (${p.reference})` : ''}`,
          ),
          ...(i.notes ? [`Notes: ${i.notes}`] : []),
        ];
        console.log(lines.join('\n'));
      });
    });
  invoices
    .command('create')
    .description('Write a manual invoice (in the client’s currency)')
    .requiredOption('--client <id|email>', 'the client')
    .requiredOption(
      '--item <description=amount>',
      'a line, e.g. "Setup work=50.00" (repeat for more)',
      (value: string, all: string[] = []) => [...all, value],
    )
    .option('--due <YYYY-MM-DD>', 'due date (default today)')
    .option('--notes <text>', 'printed on the invoice')
    .action(async (opts: { client: string; item: string[]; due?: string; notes?: string }) => {
      const { findClientByIdOrEmail } = await import('../clients/store.js');
      const { createManualInvoice } = await import('./admin.js');
      await withApp(async (app) => {
        const client = await findClientByIdOrEmail(app.db.kysely, opts.client);
        if (!client)
          throw new CliUsageError(`No client ${opts.client}: give a client id (cli_…) or the client's email.`);
        const invoice = await createManualInvoice(
          app,
          {
            client: client.id,
            items: opts.item.map((text) => parseItem(text, client.currency)),
            dueAt: opts.due,
            notes: opts.notes,
          },
          CLI_ACTOR,
        );
        console.log(
          `Invoice ${invoice.number} (${invoice.id}) issued to ${client.email}: ${money(invoice.total_minor, invoice.currency)}, due ${invoice.due_at.slice(0, 10)}.`,
        );
      });
    });
  invoices
    .command('void <id|number>')
    .description('Void an unpaid invoice (a paid one is refunded instead)')
    .requiredOption('--reason <text>', 'why')
    .action(async (ref: string, opts: { reason: string }) => {
      const { voidInvoice } = await import('./admin.js');
      await withApp(async (app) => {
        const invoice = await voidInvoice(app, ref, opts.reason, CLI_ACTOR);
        console.log(`Invoice ${invoice.number} voided.`);
      });
    });
  invoices
    .command('refund <id|number>')
    .description('Refund a paid invoice to the client’s credit (default: what remains)')
    .option('--amount <amount>', 'how much, e.g. 2.50 (in the invoice’s currency)')
    .requiredOption('--reason <text>', 'why')
    .action(async (ref: string, opts: { amount?: string; reason: string }) => {
      const { refundInvoice, resolveInvoice } = await import('./admin.js');
      await withApp(async (app) => {
        const current = await resolveInvoice(app, ref);
        let amountMinor: number | undefined;
        if (opts.amount !== undefined) {
          const parsed = parseAmount(opts.amount, current.currency);
          if (parsed === null || parsed <= 0) {
            throw new CliUsageError(
              `--amount ${opts.amount} is not a positive amount in ${current.currency} (e.g. 2.50).`,
            );
          }
          amountMinor = parsed;
        }
        const { invoice } = await refundInvoice(app, current.id, { amountMinor, reason: opts.reason }, CLI_ACTOR);
        const refunded = invoice.payments.at(-1)?.amount_minor ?? 0;
        console.log(
          `Refunded ${money(refunded, invoice.currency)} of ${invoice.number} to the client's credit; ${money(invoice.total_minor - invoice.refunded_minor, invoice.currency)} remains. Status: ${invoice.status}.`,
        );
      });
    });
  invoices
    .command('pdf <id|number>')
    .description('Write an invoice as PDF')
    .option('--out <file>', 'where (default: <number>.pdf here)')
    .action(async (ref: string, opts: { out?: string }) => {
      const { resolveInvoice } = await import('./admin.js');
      const { pdfFileName, renderInvoicePdf } = await import('./pdf.js');
      await withApp(async (app) => {
        const { pdf, invoice } = await renderInvoicePdf(app, (await resolveInvoice(app, ref)).id);
        const out = opts.out ?? pdfFileName(invoice);
        writeFileSync(out, pdf);
        console.log(`Invoice ${invoice.number} written to ${out} (${pdf.length} bytes).`);
      });
    });
}

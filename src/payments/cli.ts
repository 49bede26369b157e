import type { Command } from 'commander';
import { CliUsageError } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';
import { formatAmount, parseAmount } from '../platform/money.js';
import { ATTEMPT_STATUSES } from './statuses.js';

/**
 * `portico invoices record-payment|stripe-refund` and `portico payments attempts|charge-renewals`:
 * the Admin API's payment operations for the operator's shell.
 */
const CLI_ACTOR = { type: 'cli', id: null } as const;
const money = (minor: number, currency: string) => `${formatAmount(minor, currency)} ${currency}`;

function amountIn(text: string, currency: string, flag: string): number {
  const parsed = parseAmount(text, currency);
  if (parsed === null || parsed <= 0)
    throw new CliUsageError(`${flag} ${text} is not a positive amount in ${currency} (e.g. 12.50).`);
  return parsed;
}

export function registerPaymentCommands(program: Command): void {
  const invoices = program.commands.find((c) => c.name() === 'invoices') ?? program.command('invoices');
  invoices
    .command('record-payment <id|number>')
    .description('Record money received by bank transfer (part or whole); the whole total marks it paid')
    .requiredOption('--amount <amount>', 'how much arrived, e.g. 12.50 (in the invoice’s currency)')
    .requiredOption('--method <method>', 'how it arrived: bank_transfer')
    .requiredOption('--reference <text>', 'the transfer’s reference')
    .option('--received-on <YYYY-MM-DD>', 'the day it arrived (default today)')
    .action(async (ref: string, opts: { amount: string; method: string; reference: string; receivedOn?: string }) => {
      if (opts.method !== 'bank_transfer') throw new CliUsageError('--method must be bank_transfer.');
      const [{ resolveInvoice }, { recordBankTransfer }, { newId }] = await Promise.all([
        import('../invoices/admin.js'),
        import('./bank-transfer.js'),
        import('../platform/ids.js'),
      ]);
      await withApp(async (app) => {
        const invoice = await resolveInvoice(app, ref);
        const result = await recordBankTransfer(
          app,
          invoice.id,
          {
            amountMinor: amountIn(opts.amount, invoice.currency, '--amount'),
            reference: opts.reference,
            receivedOn: opts.receivedOn,
          },
          CLI_ACTOR,
          newId('request'),
        );
        const due = Number(invoice.total_minor) - result.paid_minor;
        console.log(
          result.status === 'paid'
            ? `Invoice ${invoice.number} paid (${result.payment_id}). Operations: ${result.operations.join(', ') || 'none'}.`
            : `Recorded ${result.payment_id} on ${invoice.number}: ${money(result.paid_minor, invoice.currency)} received, ${money(due, invoice.currency)} still due.`,
        );
      });
    });
  invoices
    .command('stripe-refund <id|number>')
    .description('Refund a card payment through Stripe (default: what remains)')
    .option('--amount <amount>', 'how much, e.g. 2.50')
    .requiredOption('--reason <text>', 'why')
    .action(async (ref: string, opts: { amount?: string; reason: string }) => {
      const [{ resolveInvoice }, { refundStripePayment }] = await Promise.all([
        import('../invoices/admin.js'),
        import('./stripe.js'),
      ]);
      await withApp(async (app) => {
        const invoice = await resolveInvoice(app, ref);
        const amountMinor = opts.amount === undefined ? undefined : amountIn(opts.amount, invoice.currency, '--amount');
        const result = await refundStripePayment(app, invoice.id, { amountMinor, reason: opts.reason }, CLI_ACTOR);
        console.log(
          `Refunded ${money(result.amount_minor, invoice.currency)} of ${invoice.number} to the card (${result.stripe_refund_id}).`,
        );
      });
    });

  const payments = program.command('payments').description('Card payments: attempts and automatic renewal charges');
  payments
    .command('attempts')
    .description('Card payment attempts, newest first')
    .option('--status <status>', `only this status (${ATTEMPT_STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many', '50')
    .action(async (opts: { status?: string; limit: string }) => {
      if (opts.status && !(ATTEMPT_STATUSES as readonly string[]).includes(opts.status)) {
        throw new CliUsageError(`--status must be one of ${ATTEMPT_STATUSES.join(', ')}.`);
      }
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new CliUsageError('--limit must be 1 to 100.');
      const { pageAttempts } = await import('./attempts.js');
      await withApp(async (app) => {
        const page = await pageAttempts(app, {
          limit,
          status: opts.status as (typeof ATTEMPT_STATUSES)[number] | undefined,
        });
        if (page.items.length === 0) console.log('No attempts.');
        for (const a of page.items) {
          console.log(
            [
              a.created_at,
              a.status,
              a.purpose,
              `#${a.attempt}`,
              money(a.amount_minor, a.currency),
              a.invoice_id,
              a.error ?? '',
            ].join('\t'),
          );
        }
      });
    });
  payments
    .command('charge-renewals')
    .description('Charge saved cards for unpaid renewal invoices now (the billing schedule does it after each run)')
    .action(async () => {
      const { chargeRenewals } = await import('./stripe.js');
      await withApp(async (app) => {
        const report = await chargeRenewals(app);
        console.log(`Charged ${report.charged}, failed ${report.failed}.`);
      });
    });
}

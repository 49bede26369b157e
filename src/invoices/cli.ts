import type { Command } from 'commander';
import { withApp } from '../cli/with-app.js';
import { payInvoice } from '../orders/orders.js';
import { newId } from '../platform/ids.js';

/** `portico invoices mark-paid`: a payment taken outside Portico, recorded like one taken here. */
export function registerInvoiceCommands(program: Command): void {
  program
    .command('invoices')
    .description('Invoices')
    .command('mark-paid <id>')
    .description('Mark an invoice paid (payment taken outside Portico); starts provisioning of its services')
    .action(async (id: string) => {
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
}

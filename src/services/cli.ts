import type { Command } from 'commander';
import { CliUsageError } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';
import { newId } from '../platform/ids.js';
import { formatAmount, parseAmount } from '../platform/money.js';

/** The lifecycle requests, loaded when a command runs (src/cli/program.ts). */
const actions = () => import('../provisioning/actions.js');

/** Lifecycle actions on a service from the shell, each queued as a job like the Admin API's. */
export function registerServiceCommands(program: Command): void {
  const services = program.command('services').description('Lifecycle actions on a service (queued as jobs)');
  const lifecycle = {
    suspend: 'Suspend a service on its panel',
    unsuspend: 'Unsuspend a suspended service',
    terminate: 'Terminate a service: remove its account from the panel',
    reprovision: 'Run the creation of a service whose provisioning failed again',
  } as const;
  for (const [action, description] of Object.entries(lifecycle) as [keyof typeof lifecycle, string][]) {
    const command = services.command(`${action} <id>`).description(description);
    if (action === 'suspend') {
      command.option('--reason <reason>', 'why (default "admin"); a payment lifts only "overdue" suspensions');
    }
    command.action(async (id: string, options: { reason?: string }) => {
      const { requestLifecycle } = await actions();
      await withApp(async (app) => {
        const jobId = await requestLifecycle(app, {
          serviceId: id,
          action,
          actor: { type: 'cli', id: null },
          correlationId: newId('request'),
          ...(options.reason ? { reason: options.reason } : {}),
        });
        console.log(`Queued ${action} for ${id} as job ${jobId}.`);
      });
    });
  }
  services
    .command('change-package <id> <productId>')
    .description('Move a service to another product’s panel package')
    .action(async (id: string, productId: string) => {
      const { requestLifecycle } = await actions();
      await withApp(async (app) => {
        const jobId = await requestLifecycle(app, {
          serviceId: id,
          action: 'change_package',
          productId,
          actor: { type: 'cli', id: null },
          correlationId: newId('request'),
        });
        console.log(`Queued change-package for ${id} as job ${jobId}.`);
      });
    });
  services
    .command('set-price <id>')
    .description('Change the amount a service renews at (product prices apply to new orders only) or its due date')
    .option('--amount <amount>', 'recurring amount in the service’s currency, e.g. 4.00')
    .option('--due <YYYY-MM-DD>', 'next due date, a day in the provider’s time zone')
    .action(async (id: string, opts: { amount?: string; due?: string }) => {
      if (opts.amount === undefined && opts.due === undefined) {
        throw new CliUsageError('Give --amount (e.g. --amount 4.00) and/or --due YYYY-MM-DD.');
      }
      const [{ parseDueDate, setServicePrice }, { findServiceBilling }] = await Promise.all([
        import('./billing.js'),
        import('./store.js'),
      ]);
      await withApp(async (app) => {
        const service = await findServiceBilling(app.db.kysely, id);
        let amountMinor: number | undefined;
        if (opts.amount !== undefined && service) {
          const parsed = parseAmount(opts.amount, service.currency);
          if (parsed === null) {
            throw new CliUsageError(
              `--amount: "${opts.amount}" is not an amount in ${service.currency}; write it as a decimal, e.g. 4.00.`,
            );
          }
          if (parsed < 0) throw new CliUsageError(`--amount: ${opts.amount} is negative; give 0 or more.`);
          amountMinor = parsed;
        }
        // Checked here too, so a bad date names the option typed.
        if (opts.due !== undefined) parseDueDate(opts.due, app.settings.snapshot['billing.time_zone'], '--due');
        const after = await setServicePrice(app, { type: 'cli', id: null }, id, {
          ...(amountMinor !== undefined ? { amountMinor } : {}),
          ...(opts.due !== undefined ? { nextDue: opts.due } : {}),
        });
        console.log(
          `Service ${after.id} renews at ${formatAmount(after.amount_minor, after.currency)} ${after.currency} ${after.billing_cycle}, next due ${after.next_due_at ?? 'not set'}.`,
        );
      });
    });
}

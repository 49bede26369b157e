import type { Command } from 'commander';
import { withApp } from '../cli/with-app.js';
import { newId } from '../platform/ids.js';
import { requestLifecycle } from '../provisioning/actions.js';

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
}

import type { Command } from 'commander';
import { CliUsageError } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';

const admin = () => import('./admin.js');

/** `portico webhooks …`: clients' webhooks and their delivery logs, for support. */
export function registerWebhookCommands(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description('Clients’ webhooks: list them, show a delivery log (clients manage theirs through the User API)');
  webhooks
    .command('list')
    .description('List webhooks, newest first: id, state, client, URL, event types (and why a disabled one is)')
    .option('--client <client>', 'only this client’s (id or email)')
    .option('--disabled', 'only disabled ones')
    .action(async (opts: { client?: string; disabled?: boolean }) => {
      await withApp(async (app) => {
        const rows = await (await admin()).adminListWebhooks(app, {
          client: opts.client,
          state: opts.disabled ? 'disabled' : undefined,
        });
        if (rows.length === 0) {
          console.log('No webhooks.');
          return;
        }
        for (const w of rows) {
          console.log(
            [w.id, w.enabled ? 'enabled ' : 'disabled', w.client_email, w.url, w.event_types.join(',')].join('  ') +
              (w.disabled_reason ? `\n    ${w.disabled_reason}` : ''),
          );
        }
      });
    });
  webhooks
    .command('deliveries <webhook>')
    .description('A webhook’s delivery log, newest first: each delivery and its attempts')
    .option('--limit <n>', 'how many deliveries', '20')
    .action(async (id: string, opts: { limit: string }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new CliUsageError('--limit must be 1 to 100.');
      await withApp(async (app) => {
        const page = await (await admin()).adminWebhookDeliveries(app, id, { limit });
        if (page.items.length === 0) {
          console.log('No deliveries yet.');
          return;
        }
        for (const d of page.items) {
          console.log(`${d.id}  ${d.state.padEnd(9)}  ${d.event_type}  attempts ${d.attempts}  ${d.created_at}`);
          for (const a of d.attempt_log) {
            console.log(
              `    #${a.attempt} ${a.at}  ${a.status === null ? 'no answer' : `HTTP ${a.status}`}${a.duration_ms === null ? '' : `  ${a.duration_ms} ms`}${a.error ? `  ${a.error}` : ''}`,
            );
          }
        }
      });
    });
}

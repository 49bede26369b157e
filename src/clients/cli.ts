import type { Command } from 'commander';
import { passwordFrom } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';
import { createClient } from './clients.js';

/** `portico client create`: a client account made by the operator. */
export function registerClientCommands(program: Command): void {
  const client = program.command('client').description('Manage clients');
  client
    .command('create')
    .description('Create a client (password from --password or standard input)')
    .requiredOption('--email <email>', 'login email')
    .requiredOption('--name <name>', 'full name')
    .option('--company <company>', 'company name')
    .option('--currency <code>', 'billing currency (ISO 4217)', 'USD')
    .option('--password <password>', 'password (prefer --password-stdin: arguments show in `ps`)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: { email: string; name: string; company?: string; currency: string; password?: string }) => {
      const password = await passwordFrom(opts);
      await withApp(async (app) => {
        const row = await createClient(
          { db: app.db.kysely, clock: app.clock },
          {
            email: opts.email,
            name: opts.name,
            company: opts.company ?? null,
            currency: opts.currency.toUpperCase(),
            password,
          },
        );
        console.log(`Client ${row.email} created (${row.id}).`);
      });
    });
}

import type { Command } from 'commander';
import { passwordFrom } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';

/** `portico admin create`: the first admin of a new install is made from the shell. */
export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('Manage admins of the admin area');
  admin
    .command('create')
    .description('Create an admin (password from --password or standard input)')
    .requiredOption('--email <email>', 'login email')
    .option('--name <name>', 'display name', '')
    .option('--password <password>', 'password (prefer --password-stdin: arguments show in `ps`)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: { email: string; name: string; password?: string }) => {
      const password = await passwordFrom(opts);
      const { createAdmin } = await import('./staff.js');
      await withApp(async (app) => {
        const created = await createAdmin({ db: app.db.kysely, clock: app.clock }, { ...opts, password });
        console.log(`Admin ${created.email} created (${created.id}).`);
      });
    });
}

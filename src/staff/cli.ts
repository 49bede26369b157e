import type { Command } from 'commander';
import { confirmAdminReset, requestAdminReset } from '../auth/password-reset.js';
import { passwordFrom } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';
import { createAdmin } from './staff.js';

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
      await withApp(async (app) => {
        const created = await createAdmin({ db: app.db.kysely, clock: app.clock }, { ...opts, password });
        console.log(`Admin ${created.email} created (${created.id}).`);
      });
    });
  admin
    .command('reset-password <email>')
    .description(
      'Reset an admin’s password: emails a code (or prints it when no SMTP is configured); then run again with --token and the new password',
    )
    .option('--token <code>', 'the code, to set the new password')
    .option('--password <password>', 'the new password (prefer --password-stdin)')
    .option('--password-stdin', 'read the new password from standard input')
    .action(async (email: string, opts: { token?: string; password?: string; passwordStdin?: boolean }) => {
      if (opts.token) {
        const password = await passwordFrom(opts);
        await withApp(async (app) => {
          await confirmAdminReset(app, { token: opts.token!, newPassword: password });
          console.log(`Password of ${email} set; its admin area sessions are ended.`);
        });
        return;
      }
      await withApp(async (app) => {
        const reset = await requestAdminReset(app, email);
        if (reset.emailed) {
          console.log(`A reset code was emailed to ${reset.to} (valid 30 minutes, usable once).`);
        } else {
          console.log(
            [
              `No SMTP is configured, so here is the reset code for ${reset.to} (valid 30 minutes, usable once):`,
              `  ${reset.token}`,
              'Set the new password with:',
              `  portico admin reset-password ${reset.to} --token ${reset.token} --password-stdin`,
            ].join('\n'),
          );
        }
      });
    });
}

import type { Command } from 'commander';
import { passwordFrom } from '../cli/input.js';
import { withApp } from '../cli/with-app.js';
import { ROLES } from './roles.js';

const CLI_ACTOR = { type: 'cli' as const, id: null };

/**
 * `portico admin …`: staff accounts from the shell. The first admin of a new install is made
 * here (it becomes the owner); owners manage the others here or through the Admin API's /staff.
 */
export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('Manage staff accounts (admins of the admin area)');
  admin
    .command('create')
    .description('Create a staff member (password from --password or standard input)')
    .requiredOption('--email <email>', 'login email')
    .option('--name <name>', 'display name', '')
    .option(
      '--role <role>',
      `${ROLES.join(', ')}; the first admin of an install is owner by default, later ones must name their role`,
    )
    .option('--password <password>', 'password (prefer --password-stdin: arguments show in `ps`)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: { email: string; name: string; role?: string; password?: string }) => {
      const password = await passwordFrom(opts);
      const { createAdmin } = await import('./staff.js');
      await withApp(async (app) => {
        const created = await createAdmin(app, { ...opts, password }, CLI_ACTOR);
        console.log(`Admin ${created.email} created (${created.id}), role ${created.role}.`);
        if (created.role === 'owner' && app.settings.snapshot['admin.require_totp_for'].includes('owner')) {
          console.log('Owners log in with two-factor: the admin area asks them to set it up at their first login.');
        }
      });
    });
  admin
    .command('list')
    .description('List staff members with their role, status and two-factor login')
    .action(async () => {
      const { listStaffViews } = await import('./staff.js');
      await withApp(async (app) => {
        const rows = await listStaffViews(app);
        if (rows.length === 0) console.log('No admins yet. Create the first with `portico admin create`.');
        for (const r of rows) {
          const flags = [r.status === 'disabled' ? 'DISABLED' : '', r.totp_enrolled ? '2fa' : 'no-2fa'].filter(Boolean);
          console.log(`${r.email.padEnd(32)} ${r.role.padEnd(10)} ${r.name.padEnd(24)} ${flags.join(' ')}`);
        }
      });
    });
  admin
    .command('role <email> <role>')
    .description(`Change a staff member's role (${ROLES.join(', ')}); the last active owner stays owner`)
    .action(async (email: string, role: string) => {
      const { changeStaff } = await import('./staff.js');
      await withApp(async (app) => {
        const changed = await changeStaff(app, CLI_ACTOR, email, { role });
        console.log(`${changed.email} is now ${changed.role}.`);
      });
    });
  for (const [name, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    admin
      .command(`${name} <email>`)
      .description(
        name === 'disable'
          ? 'Disable a staff member: they cannot log in, and their sessions end'
          : 'Enable a disabled staff member again',
      )
      .action(async (email: string) => {
        const { changeStaff } = await import('./staff.js');
        await withApp(async (app) => {
          const changed = await changeStaff(app, CLI_ACTOR, email, { status });
          console.log(`${changed.email} is ${changed.status === 'active' ? 'enabled' : 'disabled'}.`);
        });
      });
  }
  admin
    .command('reset-2fa <email>')
    .description("Remove a staff member's two-factor login (a lost phone); they enrol again at their next login")
    .action(async (email: string) => {
      const { resetStaffTotp } = await import('./staff.js');
      await withApp(async (app) => {
        const changed = await resetStaffTotp(app, CLI_ACTOR, email);
        console.log(`Two-factor login of ${changed.email} removed; their sessions ended.`);
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
      const { confirmAdminReset, requestAdminReset } = await import('../auth/password-reset.js');
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
